"""Messages shown on one line: the console prints one line per failure; the rest goes to logs."""


def first_line(text: str) -> str:
    """The first non-blank line of a message."""
    return next((line.strip() for line in text.strip().splitlines() if line.strip()), "")


def user_error(error):
    """The innermost error of a SerializableErrorInfo's chain (what user code met, not Dagster's
    wrappers), unless a DiskFull comes first: its message names what was written where, which
    the DuckDB or dbt error it was raised from does not."""
    while error.cause is not None and error.cls_name != "DiskFull":
        error = error.cause
    return error
