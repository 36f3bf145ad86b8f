"""What `client_export` and `client_erase` share: reading a client key from the command line."""

from django.core.management.base import CommandError

from seire.access.pseudonyms import is_pseudonym, pseudonymise


def add_key_arguments(parser) -> None:
    parser.add_argument("key", help="the client key (ck1_…) the client's episodes are under")
    parser.add_argument(
        "--identifier",
        action="store_true",
        help="KEY is a personal code or case-system id: turn it into the client key first",
    )
    parser.add_argument("--reason", default="", help="why (kept in the audit trail)")


def client_key(options: dict) -> str:
    key = options["key"].strip()
    if options["identifier"]:
        try:
            return pseudonymise(key)
        except ValueError as error:
            raise CommandError(str(error)) from None
    if not is_pseudonym(key):
        raise CommandError(
            "KEY is not a client key (ck1_ followed by 64 hexadecimal digits); "
            "give --identifier to turn a personal code or case id into one"
        )
    return key
