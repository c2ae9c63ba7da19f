"""UN Comtrade API v1: annual goods trade between mainland China and the cities' economies.

China (M49 156) is the reporter and each other city economy a partner, so one query measures
the mainland's trade with Hong Kong (the intermediary), Singapore, Japan, Korea, the UK, France,
the US and the UAE. Without a key the public preview endpoint answers (at most 500 records per
call); with CITYDIP_COMTRADE_KEY set, the subscription endpoint is used and the key travels only
in the `Ocp-Apim-Subscription-Key` header: never in a URL, a message, metadata or a file name.
Licence: UN Comtrade policy on use and re-dissemination (attribute; no bulk redistribution).
"""

from __future__ import annotations

import pandas as pd

from sources.cities import country_codes
from sources.errors import SourceError
from sources.http import Client
from sources.observation import (
    finite_number,
    json_document,
    observation_frame,
    observation_schema,
    whole_number,
)
from sources.payload import Part, Payload
from sources.secrets import secret
from sources.source import YEARLY, Source

SOURCE_ID = "comtrade"
KEY_ENV = "CITYDIP_COMTRADE_KEY"
FIRST_YEAR, LAST_YEAR = 2010, 2024
PREVIEW_CAP = 500  # the preview endpoint never returns more records than this
REPORTER = "CHN"

# Comtrade uses M49 codes, with its own exceptions (France is 251, not ISO's 250; the US 842).
M49_TO_ISO3 = {
    344: "HKG",
    702: "SGP",
    392: "JPN",
    410: "KOR",
    156: "CHN",
    826: "GBR",
    251: "FRA",
    842: "USA",
    784: "ARE",
}
ISO3_TO_M49 = {iso3: code for code, iso3 in M49_TO_ISO3.items()}

# flowCode of China's report -> (indicator seen from the partner economy, unit)
FLOWS: dict[str, tuple[str, str]] = {
    "X": ("goods_imports_from_china", "USD current"),  # China's exports to the partner (FOB)
    "M": ("goods_exports_to_china", "USD current"),  # China's imports from the partner (CIF)
}
INDICATORS = dict(FLOWS.values())
REQUIRED = ("reporterCode", "partnerCode", "flowCode", "refYear", "cmdCode", "primaryValue")


def partners() -> list[str]:
    """The partner economies: every city's country except the reporter itself."""
    return [iso3 for iso3 in country_codes() if iso3 != REPORTER]


def subscription_key() -> str:
    return secret(KEY_ENV) or ""


def query(years: range = range(FIRST_YEAR, LAST_YEAR + 1)) -> dict[str, str]:
    return {
        "reporterCode": str(ISO3_TO_M49[REPORTER]),
        "partnerCode": ",".join(str(ISO3_TO_M49[p]) for p in partners()),
        "partner2Code": "0",
        "period": ",".join(str(y) for y in years),
        "flowCode": ",".join(FLOWS),
        "cmdCode": "TOTAL",
        "customsCode": "C00",
        "motCode": "0",
        "includeDesc": "true",
    }


def fetch(client: Client, base: str) -> list[Part]:
    """One call: the preview endpoint, or the subscription endpoint when a key is set."""
    key = subscription_key()
    if key:
        url = f"{base}/data/v1/get/C/A/HS"
        part = client.get(url, params=query(), headers={"Ocp-Apim-Subscription-Key": key})
    else:
        url = f"{base}/public/v1/preview/C/A/HS"
        part = client.get(url, params=query())
    records = _records(part)
    if not key and len(records) >= PREVIEW_CAP:
        raise SourceError(
            SOURCE_ID,
            part.url,
            f"the preview returned {len(records)} records, its cap: the answer may be cut; "
            f"set {KEY_ENV} or narrow the query",
            "count",
        )
    return [part]


def _records(part: Part) -> list[dict]:
    """The `data` list of one response, after the provider's own error fields are checked."""
    document = json_document(SOURCE_ID, part)
    if not isinstance(document, dict):
        raise SourceError(SOURCE_ID, part.url, "expected a JSON object", "body")
    if document.get("error"):
        raise SourceError(SOURCE_ID, part.url, f"provider error: {document['error']}", "error")
    if "statusCode" in document and "data" not in document:
        raise SourceError(
            SOURCE_ID,
            part.url,
            f"provider error {document.get('statusCode')}: {document.get('message')}",
            "message",
        )
    if not isinstance(document.get("data"), list):
        raise SourceError(SOURCE_ID, part.url, "no `data` list in the response", "data")
    return document["data"]


def parse(payload: Payload) -> pd.DataFrame:
    rows = []
    for part in payload.parts:
        for number, record in enumerate(_records(part)):
            missing = [f for f in REQUIRED if f not in record]
            if missing:
                raise SourceError(
                    SOURCE_ID, part.url, f"record {number} lacks {missing}", ", ".join(missing)
                )
            if record["cmdCode"] != "TOTAL":
                continue  # only all-commodity totals are observations
            if record["flowCode"] not in FLOWS:
                continue  # re-exports/re-imports are not requested; ignore if sent
            partner = _iso3(record["partnerCode"], part.url, "partnerCode")
            reporter = _iso3(record["reporterCode"], part.url, "reporterCode")
            if reporter != REPORTER:
                raise SourceError(
                    SOURCE_ID, part.url, f"unexpected reporter {reporter}", "reporterCode"
                )
            indicator_id, unit = FLOWS[record["flowCode"]]
            rows.append(
                {
                    "indicator_id": indicator_id,
                    "geo_id": partner,
                    "geo_level": "country",
                    "period": whole_number(record["refYear"], SOURCE_ID, part.url, "refYear"),
                    "value": finite_number(
                        record["primaryValue"], SOURCE_ID, part.url, "primaryValue"
                    ),
                    "unit": unit,
                    "approximate": False,
                }
            )
    if not rows:
        raise SourceError(
            SOURCE_ID, payload.parts[0].url, "no TOTAL trade records in the response", "data"
        )
    return observation_frame(rows, payload)


def _iso3(code: object, url: str, field: str) -> str:
    try:
        return M49_TO_ISO3[int(code)]  # type: ignore[call-overload]
    except (KeyError, TypeError, ValueError):
        raise SourceError(SOURCE_ID, url, f"unknown Comtrade area code {code!r}", field) from None


SOURCE = Source(
    id=SOURCE_ID,
    title="UN Comtrade (mainland China's goods trade with the cities' economies)",
    publisher="United Nations Statistics Division, UN Comtrade",
    licence="UN Comtrade policy on use and re-dissemination (attribution; not an open licence)",
    default_base_url="https://comtradeapi.un.org",
    cadence=YEARLY,
    indicators=INDICATORS,
    fetch=fetch,
    parse=parse,
    schema=observation_schema(
        SOURCE_ID, INDICATORS, geo_ids=set(partners()), periods=(FIRST_YEAR, LAST_YEAR)
    ),
    max_pages=1,
    secrets=lambda: (subscription_key(),),
    description="Annual goods trade reported by mainland China with each partner economy "
    "(all commodities), read from the partner's side: its imports from and exports to China.",
)
