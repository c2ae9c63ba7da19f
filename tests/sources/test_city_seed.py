"""The city seed is checked row by row: a bad row is refused naming file, line and column."""

from pathlib import Path

import pytest

from sources.cities import CITIES_SEED, SeedError, load_cities

GOOD = CITIES_SEED.read_text()
SYDNEY = "sydney,Sydney,AUS,false,Q3130,SYD,-33.8688,151.2093\n"


def seed(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "cities.csv"
    path.write_text(GOOD + extra)
    return path


def test_the_shipped_seed_loads():
    assert len(load_cities()) == len(GOOD.splitlines()) - 1


def test_a_good_new_row_loads(tmp_path):
    assert load_cities(seed(tmp_path, SYDNEY))[-1].iata_codes == ("SYD",)


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        ("sydney,Sydney,AUS,false,Q3130,SYD,-33.8688\n", "longitude", "missing"),
        ("sydney,Sydney,AUS,false,Q3130\n", "iata_codes", "missing"),
        ("sydney,Sydney,AU,false,Q3130,SYD,-33.8688,151.2093\n", "country_iso3", "'AU'"),
        ("sydney,Sydney,AUS,no,Q3130,SYD,-33.8688,151.2093\n", "is_city_state", "true or false"),
        ("sydney,Sydney,AUS,false,Q3130,SYD,-133.8,151.2\n", "latitude", "±90"),
        ("Sydney!,Sydney,AUS,false,Q3130,SYD,-33.8,151.2\n", "city_id", "slug"),
        ("tokyo,Tokyo,JPN,false,Q1490,HND,35.6,139.6\n", "city_id", "repeats line 4"),
        ("sydney,Sydney,AUS,false,Q3130,SYD,-33.8,151.2,extra\n", "(after longitude)", "too many"),
    ],
)
def test_a_bad_row_names_file_line_and_column(tmp_path, row, column, problem):
    path = seed(tmp_path, row)
    with pytest.raises(SeedError) as caught:
        load_cities(path)
    message = str(caught.value)
    line = len(GOOD.splitlines()) + 1
    assert message.startswith(f"{path}, line {line}, column {column}: ")
    assert problem in message
    assert "\n" not in message
