"""POST /v1/imports: import a data set research groups hold (UCDP GED, PA, ACD; ACLED; PLOVER), named or recognised."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from events.importers import FORMATS, ImportFailed, ImportOptions, ImportProblem, run_import
from events.importers.recognition import recognise
from events.importers.tables import MalformedJson
from events.vocabulary.kinds import SLUG
from service.api.bodies import body_bytes, media_type
from service.api.schemas.common import StrictSchema
from service.auth import requires
from service.problems import ApiProblem
from service.runtime import runtime

blp = Blueprint("imports", __name__, url_prefix="/v1/imports", description="Import the data sets research groups hold")

MEDIA_TYPES = ("text/csv", "text/tab-separated-values", "application/json", "text/plain", "application/octet-stream")
IMPORT_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string", "description": "UCDP GED or Peace Agreements CSV, with its header"}},
        "application/json": {
            "schema": {
                "oneOf": [
                    {
                        "type": "array",
                        "items": {"description": "a row: an object; anything else is reported as a rejected row"},
                        "description": "rows as objects, or PLOVER records",
                    },
                    {"type": "object", "description": "a UCDP API page: rows under 'Result'"},
                ]
            }
        },
    },
}


class ImportQuerySchema(StrictSchema):
    format = fields.String(
        validate=validate.OneOf(FORMATS),
        metadata={"description": "the data set; when absent, recognised from the file's header or shape"},
    )
    release = fields.String(
        validate=validate.Length(min=1, max=40), metadata={"description": "the data set's release, such as 22.1"}
    )
    conflict = fields.String(
        validate=validate.Regexp(SLUG),
        metadata={
            "description": "plover, acled: the conflict the rows belong to (acled: else the one whose territory "
            "holds the row's country)"
        },
    )
    dataset = fields.String(
        validate=validate.Regexp(SLUG), metadata={"description": "plover: the data set's name in ids"}
    )
    strict = fields.Boolean(load_default=False, metadata={"description": "import nothing when any row is rejected"})


class ReportSchema(StrictSchema):
    outcome = fields.String(required=True, metadata={"description": "flagged (imported, with a note) or rejected"})
    reason = fields.String(required=True)
    row_id = fields.String(metadata={"description": "the row's id in the data set"})
    line = fields.Integer(metadata={"description": "the line the row starts on (CSV)"})
    record = fields.Integer(metadata={"description": "the row's place in a JSON array (1-based)"})
    column = fields.String()


class ImportSummarySchema(StrictSchema):
    format = fields.String(required=True)
    dataset = fields.String(required=True)
    rows_read = fields.Integer(required=True)
    added = fields.Integer(required=True, metadata={"description": "developments added from rows"})
    registered = fields.Integer(required=True, metadata={"description": "conflicts and actors registered"})
    unchanged = fields.Integer(required=True, metadata={"description": "developments already recorded as they are"})
    corrected = fields.Integer(required=True, metadata={"description": "developments corrected or retracted"})
    flagged = fields.Integer(required=True, metadata={"description": "rows imported with a flag"})
    rejected = fields.Integer(required=True, metadata={"description": "rows not imported"})
    reports = fields.List(fields.Nested(ReportSchema), required=True)
    notes = fields.List(fields.String(), required=True)
    recognised = fields.String(
        metadata={"description": "how the format was told when none was given: 'recognised as acled by its header'"}
    )


@blp.route("")
class Imports(MethodView):
    @requires("submitter")
    @blp.arguments(ImportQuerySchema, location="query", as_kwargs=True)
    @blp.doc(requestBody=IMPORT_BODY)
    @blp.response(200, ImportSummarySchema)
    def post(self, format: str | None = None, **options: Any) -> Any:
        """Import a data set file: UCDP GED, Peace Agreements or ACD CSV, ACLED CSV, or PLOVER JSON records.

        Without ``format`` the file is recognised by its header or shape, and the
        answer's ``recognised`` says which format was taken and how; a file no
        format recognises is a 422 that names each format and what it expects.

        Rows become developments whose ids come from the data set and row id:
        importing the same file again adds nothing, a newer release adds its new
        rows and corrects the changed ones.  The answer counts rows read and
        developments added, unchanged and corrected, and lists every flagged or
        rejected row with its line (or record) and reason.  A file of up to
        10,000 developments is stored in one transaction.
        """
        if media_type() not in MEDIA_TYPES:
            raise ApiProblem(415, f"send the file as one of {', '.join(MEDIA_TYPES)}, not '{request.mimetype}'")
        body = body_bytes()
        if media_type() != "application/json" and body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
            message = f"the body is JSON but was sent as {media_type()}; send JSON rows as application/json"
            raise ApiProblem(422, message, [{"field": "(body)", "message": message}], slug="unreadable-file")
        recognised = None
        if format is None:
            try:
                recognised = recognise(body, [*FORMATS, "ndjson"])
            except ImportProblem as e:
                raise ApiProblem(422, e.detail, e.errors, slug="unrecognised-format") from None
            if recognised.format == "ndjson":
                message = f"{recognised.text()}: developments are recorded with POST /v1/events/batch, not imported"
                raise ApiProblem(422, message, [{"field": "format", "message": message}], slug="unrecognised-format")
            format = recognised.format
        try:
            summary = run_import(runtime().log, format, body, ImportOptions(**options))
        except MalformedJson as e:  # a body that is not readable JSON is a 400, as on /v1/events
            raise ApiProblem(400, e.detail, [{"field": "(body)", "message": e.detail}], slug="malformed-json") from None
        except ImportProblem as e:
            raise ApiProblem(422, e.detail, e.errors, slug="unreadable-file") from None
        except ImportFailed as e:
            errors = [{"field": _where(r.as_dict()), "message": r.reason} for r in e.summary.reports]
            raise ApiProblem(422 if options.get("strict") else 409, e.detail, errors, slug="import-failed") from None
        if summary.rows_read == 0:
            message = f"the file holds no {format} rows"
            raise ApiProblem(422, message, [{"field": "(body)", "message": message}], slug="unreadable-file")
        answer = summary.as_dict()
        if recognised is not None:
            answer["recognised"] = recognised.text()
        return answer


def _where(report: dict[str, Any]) -> str:
    return ", ".join(f"{k} {report[k]}" for k in ("line", "record", "row_id", "column") if k in report) or "(file)"
