"""Messages shown on one line: the console prints one line per failure; the rest goes to logs."""


def first_line(text: str) -> str:
    """The first non-blank line of a message."""
    return next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
