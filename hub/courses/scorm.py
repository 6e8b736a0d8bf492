"""SCORM content packages (1.2 and 2004): what imsmanifest.xml says.

    <manifest identifier=…>
      <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
      <organizations default="ORG">
        <organization identifier="ORG"><title>…</title>
          <item identifier="I1" identifierref="R1" parameters="?page=1"><title>…</title></item> …
      <resources [xml:base=…]>
        <resource identifier="R1" type="webcontent" adlcp:scormtype="sco" href="index.html" [xml:base=…]>
          <file href="index.html"/> <dependency identifierref="R2"/> …

Elements are matched by local name, so packages with and without the IMS namespaces read the
same. The launchable items (those with an identifierref) of the default organization, in
document order and flattened, become the manifest's items; the first is the entry. Every
resource's href and <file href> must be in the zip. An href to another site is refused: a
tablet behind the prison wall cannot reach it. XML is parsed with defusedxml (no entities, no
external references).

Which SCORM a manifest is (its schemaversion, else its namespaces), and what a SCORM 2004 one says
beyond its items (the organisation tree, objectives, sequencing), is scorm2004.py's part: a 2004
package's Description carries it as the signed manifest's `scorm` field.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from hub.courses import scorm2004
from hub.courses.package import Description, Item, PackageError, safe_path, slug

MANIFEST = "imsmanifest.xml"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element, name: str) -> list[Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: Element, name: str) -> Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _attr(element: Element, name: str) -> str | None:
    """An attribute by local name (adlcp:scormtype and scormtype alike)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _local_path(href: str, base: str, where: str) -> tuple[str, str]:
    """(path in the package, ?query#fragment) of an href relative to the manifest."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        raise PackageError("external_reference", f"{where} points outside the package ({href!r}): "
                           "learners' tablets cannot reach other sites")
    path = posixpath.join(base, unquote(parts.path)) if base else unquote(parts.path)
    path = "/".join(segment for segment in path.split("/") if segment != ".")  # "./index.html" is common
    suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return safe_path(path, where), suffix


def parse(data: bytes, course: str | None = None) -> Description:
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise PackageError("bad_xml", f"{MANIFEST} is not well-formed XML without entities ({exc})") from None
    if _local(root.tag) != "manifest":
        raise PackageError("bad_manifest", f"{MANIFEST}'s root element is <{_local(root.tag)}>, not <manifest>")
    metadata = _child(root, "metadata")
    found = scorm2004.version(root, _text(_child(metadata, "schemaversion")) if metadata is not None else "")
    resources = _resources(root)
    organization = _organization(root)
    items: list[Item] = []
    types: dict[str, str] = {}
    for element in organization.iter():
        if _local(element.tag) != "item" or not element.get("identifierref"):
            continue
        ref = element.get("identifierref")
        if ref not in resources or not resources[ref][0]:
            raise PackageError("bad_manifest", f"item {element.get('identifier')!r} refers to resource "
                               f"{ref!r}, which is missing or has no href")
        path, suffix = resources[ref][0]
        types[element.get("identifier") or ""] = resources[ref][2]
        parameters = element.get("parameters") or ""
        if parameters and not suffix:
            suffix = parameters if parameters[0] in "?#" else "?" + parameters
        identifier = element.get("identifier") or f"item-{len(items) + 1}"
        items.append(Item(identifier, _text(_child(element, "title")) or identifier, path + suffix))
    if not items:
        raise PackageError("no_launchable_item", f"{MANIFEST}'s organization has no item that refers to a "
                           "resource: nothing to launch")
    title = _text(_child(organization, "title")) or root.get("identifier") or "Untitled course"
    referenced = sorted({p for href, files, _ in resources.values() for p in ([href[0]] if href else []) + files})
    extra = scorm2004.describe(root, organization, types, found) if found.format == "scorm2004" else None
    return Description(found.format, course or slug(root.get("identifier") or title), title,
                       items[0].href.split("?", 1)[0].split("#", 1)[0], tuple(items), tuple(referenced), scorm=extra)


def _organization(root: Element) -> Element:
    organizations = _child(root, "organizations")
    found = _children(organizations, "organization") if organizations is not None else []
    if not found:
        raise PackageError("bad_manifest", f"{MANIFEST} has no <organizations><organization>")
    default = organizations.get("default")
    for organization in found:
        if default and organization.get("identifier") == default:
            return organization
    if default:
        raise PackageError("bad_manifest", f"{MANIFEST}'s default organization {default!r} is not there")
    return found[0]


def _resources(root: Element) -> dict[str, tuple[tuple[str, str] | None, list[str], str]]:
    """identifier -> ((href path, suffix) or None, [file paths], "sco" | "asset").

    The type is adlcp:scormtype (SCORM 1.2) or adlcp:scormType (2004); a resource without one is
    an asset, as both specifications say."""
    holder = _child(root, "resources")
    if holder is None:
        raise PackageError("bad_manifest", f"{MANIFEST} has no <resources>")
    outer = (root.get(_XML_BASE) or "") + (holder.get(_XML_BASE) or "")
    found = {}
    for resource in _children(holder, "resource"):
        identifier = resource.get("identifier")
        if not identifier:
            raise PackageError("bad_manifest", f"a <resource> in {MANIFEST} has no identifier")
        base = posixpath.normpath(outer + (resource.get(_XML_BASE) or "")) if outer or resource.get(_XML_BASE) else ""
        base = "" if base == "." else base
        where = f"resource {identifier!r}"
        href = _local_path(resource.get("href"), base, f"{where} href") if resource.get("href") else None
        files = [_local_path(f.get("href") or "", base, f"{where} file")[0] for f in _children(resource, "file")]
        kind = (_attr(resource, "scormType") or _attr(resource, "scormtype") or "asset").strip().lower()
        found[identifier] = (href, files, "sco" if kind == "sco" else "asset")
    return found
