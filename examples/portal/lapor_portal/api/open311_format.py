"""Open311 GeoReport v2 documents in both formats: XML (required) and JSON by the Spark convention.

A document is plain data: a mapping or a list of mappings. JSON is that data as it stands; XML names the
root and turns each list into repeated elements named by the singular of the list's name (``services`` ->
``service``, ``service_requests`` -> ``request``), booleans into ``true``/``false``, ``None`` into an empty
element and datetimes into W3C timestamps with their offset.
"""

from __future__ import annotations

import enum
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

from starlette.responses import Response

__all__ = ["Format", "document", "to_json", "to_xml"]

ITEM_NAMES: Final[Mapping[str, str]] = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
"""The element name of one item of each list."""

Scalar = str | int | float | bool | datetime | None
Data = Scalar | Sequence["Data"] | Mapping[str, "Data"]


class Format(enum.StrEnum):
    """The formats a resource is asked for by its suffix (``services.xml``)."""

    XML = "xml"
    JSON = "json"

    @property
    def media_type(self) -> str:
        """The Content-Type of this format."""
        return "text/xml; charset=utf-8" if self is Format.XML else "application/json; charset=utf-8"


def _text(value: Scalar) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value)


def _fill(element: ET.Element, value: Data) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Data) -> bytes:
    """The XML document: the declaration, then ``data`` under the element ``root``.

    >>> print(to_xml("services", [{"service_code": "waste", "group": None}]).decode())
    <?xml version="1.0" encoding="utf-8"?>
    <services><service><service_code>waste</service_code><group /></service></services>
    >>> to_xml("service_definition", {"variable": True, "order": 1}).decode().splitlines()[1]
    '<service_definition><variable>true</variable><order>1</order></service_definition>'
    """
    element = ET.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode").encode(
        "utf-8"
    )


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(type(value).__name__)


def to_json(data: Data) -> bytes:
    """The JSON document.

    >>> to_json([{"code": 404, "description": "service_code not found"}])
    b'[{"code":404,"description":"service_code not found"}]'
    """
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode("utf-8")


def document(fmt: Format, root: str, data: Data, *, status_code: int = 200) -> Response:
    """The response carrying ``data`` in ``fmt``."""
    body = to_xml(root, data) if fmt is Format.XML else to_json(data)
    return Response(body, status_code=status_code, media_type=fmt.media_type)
