"""``conflict-status token``: create, list and revoke bearer tokens."""

from __future__ import annotations

import click

from service.cli.common import settings
from service.tokens import ROLES, TokenStore, parse_expiry

CURL_EXAMPLE = """
A new {role} token, shown only this once (keep it in TOKEN):
  export TOKEN={token}

Try:
  curl -s {url}/v1/events?limit=3
  curl -s -X POST {url}/v1/events \\
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
    -d '{{"type": "StatementIssued", "occurred": "2020-06-27", "conflicts": ["libya"], "actors": ["FRA"],
         "sources": [{{"name": "Elysee statement"}}], "summary": "France repeated its call for a ceasefire.",
         "data": {{"by": "FRA", "text": "France calls again for a ceasefire in Libya.", "topics": ["libya"]}}}}'
Pages: {url}/
API docs: {url}/docs
"""


@click.group()
def token() -> None:
    """Create, list and revoke bearer tokens."""


@token.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--label", default="", help="a note saying whose token it is")
@click.option(
    "--expires",
    metavar="DURATION-or-DATE",
    help="when it stops working: after 90d, 12h, 1w2d (s, m, h, d, w), through a date (2026-12-31), "
    "or at a moment (2026-12-31T18:00:00Z); default: never",
)
@click.option("--curl", "show_curl", is_flag=True, help="print the token inside a curl example and the addresses, once")
@click.option("--base-url", default="http://127.0.0.1:8000", show_default=True, help="the address, for --curl")
def token_create(role: str, label: str, expires: str | None, show_curl: bool, base_url: str) -> None:
    """Print a new token for ROLE (it is shown only this once)."""
    try:
        expires_at = parse_expiry(expires) if expires is not None else None
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--expires") from None
    store = TokenStore(settings().database_url)
    secret, info = store.create(role, label, expires_at)
    if show_curl:  # for people: the token once, in the line that keeps it, then how to use it
        click.echo(CURL_EXAMPLE.format(role=role, token=secret, url=base_url.rstrip("/")))
    else:  # for scripts: the token alone on standard output
        click.echo(secret)
    if info.expires_at:
        click.echo(f"expires {info.expires_at}", err=True)


@token.command("list")
def token_list() -> None:
    """List tokens (never their secrets)."""
    store = TokenStore(settings().database_url)
    store.create_table()
    for info in store.list():
        expires = f"expires {info.expires_at}" if info.expires_at else "never expires"
        click.echo(f"{info.id}  {info.role:<9}  {info.state():<7}  {info.created_at}  {expires:<33}  {info.label}")


@token.command("revoke")
@click.argument("token_id")
def token_revoke(token_id: str) -> None:
    """Revoke the token with TOKEN_ID (from ``token list``)."""
    if not TokenStore(settings().database_url).revoke(token_id):
        raise click.ClickException(f"no live token has the id {token_id}")
    click.echo("revoked")
