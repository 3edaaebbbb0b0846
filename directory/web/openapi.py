"""``/api/openapi.json``: this API described in OpenAPI 3.1, answers referring to the HSDS 3.0
schemas by the URLs HSDS itself publishes them at.

Written from ``api_params.PARAMETERS`` and the routes' own list below, so what is described
is what is served. It follows HSDS's ``openapi.json`` and fixes its three known faults (the
swapped ``operationId``s of ``/taxonomy_terms``, ``/service_at_locations/{id}`` answering a
service_at_location, and ``date-time`` for ``modified_after``).
"""

from __future__ import annotations

from . import api_params as ap

SCHEMAS = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
ERRORS = {"400": "A parameter is wrong: the body names it and the form it expects.",
          "404": "Nothing has this id (a UUID or this directory's own id).",
          "503": "The directory has no build to serve yet."}
# path → (operationId, summary, schema of the answer, list parameters or None for one object)
ROUTES = {
    "/services": ("getPaginatedListOfServices", "Services: one-to-one fields, paged; with "
                  "search, ranked as the site's /search.", "compiled/service_list.json",
                  "services"),
    "/services/{id}": ("getFullyNestedServiceById", "One service, fully nested.",
                       "compiled/service.json", None),
    "/service_at_locations": ("getPaginatedListOfServiceAtLocation", "Services at locations, "
                              "paged, in the order of the matching services.",
                              "compiled/service_at_location_list.json", "service_at_locations"),
    "/service_at_locations/{id}": ("getServiceAtLocationWithNestedDataById",
                                   "One service at a location, with its location and service.",
                                   "compiled/service_at_location.json", None),
    "/organizations": ("getPaginatedListOfOrganizations", "Organizations, paged.",
                       "compiled/organization_list.json", "organizations"),
    "/organizations/{id}": ("getOrganizationById", "One organization, fully nested.",
                            "compiled/organization.json", None),
    "/taxonomies": ("getPaginatedListOfTaxonomies", "Taxonomies, paged (this directory has "
                    "one of its own).", "taxonomy.json", "taxonomies"),
    "/taxonomies/{id}": ("getTaxonomyById", "One taxonomy.", "taxonomy.json", None),
    "/taxonomy_terms": ("getPaginatedListOfTaxonomyTerms", "Taxonomy terms, paged.",
                        "taxonomy_term.json", "taxonomy_terms"),
    "/taxonomy_terms/{id}": ("getTaxonomyTermById", "One taxonomy term.", "taxonomy_term.json",
                             None),
}
ONE_PARAMETERS = {"/organizations/{id}": ("full_service",)}


def _parameter(name: str, choices: dict[str, list[str]]) -> dict:
    spec = ap.PARAMETERS[name]
    schema = {**spec.schema, "enum": choices[name]} if choices.get(name) else spec.schema
    out = {"name": name, "in": "query", "required": False,
           "description": spec.description + f" Expected: {spec.expected}.",
           "schema": schema}
    if spec.extension:
        out["x-directory-extension"] = True
    return out


def _errors() -> dict:
    return {code: {"description": text, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for code, text in ERRORS.items()}


def _operation(path: str, choices: dict[str, list[str]]) -> dict:
    operation_id, summary, schema, listed = ROUTES[path]
    ref = {"$ref": SCHEMAS + schema}
    if listed:
        answer = {"allOf": [{"$ref": "#/components/schemas/Page"}],
                  "properties": {"contents": {"type": "array", "items": ref}}}
        names = ap.LISTS[listed]
    else:
        answer = ref
        names = ONE_PARAMETERS.get(path, ())
    operation = {"operationId": operation_id, "summary": summary,
                 "parameters": [_parameter(name, choices) for name in names],
                 "responses": {"200": {"description": summary, "content": {
                     "application/json": {"schema": answer}}}, **_errors()}}
    if not listed:
        operation["parameters"].insert(0, {
            "name": "id", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "The object's UUID, or this directory's own id (the slug in the "
                           "site's URLs; for a service at a location, service-id/location-id). "
                           'The Link header (rel="canonical") gives the UUID URL.'})
    return {"get": operation}


def document(site: dict, categories: list[str], audiences: list[str]) -> dict:
    """The document for a build: its site settings, and its category and audience ids (the
    values ``category`` and ``audience`` take)."""
    name = site.get("name") or "Community directory"
    choices = {"category": categories, "audience": audiences}
    paths = {"/": {"get": {
        "operationId": "getAPIMetaInformation", "summary": "This API and its HSDS version.",
        "responses": {"200": {"description": "HSDS version, profile and this document.",
                              "content": {"application/json": {"schema": {
                                  "type": "object", "required": ["version", "openapi_url"],
                                  "properties": {
                                      "version": {"type": "string"},
                                      "profile": {"type": "string", "format": "uri"},
                                      "openapi_url": {"type": "string", "format": "uri"}}}}}},
                      "503": _errors()["503"]}}}}
    paths |= {path: _operation(path, choices) for path in ROUTES}
    info = {"title": f"{name} — Open Referral HSDS 3.0 API", "version": "1.0.0",
            "summary": f"The services of {site.get('region') or 'this directory'} as Open "
                       "Referral HSDS 3.0, read-only, open to any origin.",
            "description": "Every list takes page and per_page and answers HSDS's Page "
                           "envelope. Parameters marked x-directory-extension are this "
                           "directory's own filters, read exactly as its /search page reads "
                           "them. Ids are UUID v5 of the site's namespace and the listing's "
                           "own id, stable between builds; that own id is accepted too."}
    if site.get("contact_email"):
        info["contact"] = {"name": name, "email": site["contact_email"]}
    return {
        "openapi": "3.1.0", "info": info,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/api"}],
        "paths": paths,
        "components": {"schemas": {
            "Page": {"type": "object",
                     "required": ["total_items", "total_pages", "page_number", "size",
                                  "first_page", "last_page", "empty", "contents"],
                     "properties": {
                         "total_items": {"type": "integer", "minimum": 0},
                         "total_pages": {"type": "integer", "minimum": 0},
                         "page_number": {"type": "integer", "minimum": 1},
                         "size": {"type": "integer", "minimum": 0},
                         "first_page": {"type": "boolean"},
                         "last_page": {"type": "boolean"},
                         "empty": {"type": "boolean"},
                         "contents": {"type": "array"}}},
            "Error": {"type": "object", "required": ["status", "error", "message"],
                      "properties": {
                          "status": {"type": "integer"},
                          "error": {"type": "string"},
                          "message": {"type": "string"},
                          "parameter": {"type": "string",
                                        "description": "The query parameter that was wrong."},
                          "expected": {"type": "string",
                                       "description": "The form that parameter takes."}}},
        }},
    }
