"""Published versions and aliases of functions (PublishVersion, CreateAlias, ...).

A version freezes the function's code and configuration: its code becomes a package
(console text and directory files too), so a later edit of $LATEST does not change it.
An alias names a version (or $LATEST). A qualifier is ``$LATEST``, a version number or an
alias name; ``at`` gives the function as that qualifier runs it: an unsaved copy of the
Function row with the version's fields, carrying ``version`` (for ExecutedVersion).
"""

from __future__ import annotations

import copy
import json
import re
import time
import uuid
from typing import Any

from django.db import IntegrityError, transaction

from console.functions import code as code_files
from console.functions import packages
from console.models import Function, FunctionAlias, FunctionVersion
from console.services.function_errors import InvalidParameterValue, ResourceConflict, ResourceNotFound

LATEST = "$LATEST"
FROZEN = ("package", "code_sha256", "code_size", "handler", "runtime", "timeout", "memory_size", "environment",
          "description", "role")
ALIAS_NAME = re.compile(r"(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}")


def _not_found(function: Function, qualifier: str) -> ResourceNotFound:
    return ResourceNotFound(f"Function not found: {code_files.function_arn(function.name)}:{qualifier}")


def _snapshot(function: Function) -> dict[str, Any]:
    """The fields a version keeps; the code as a package whatever its source."""
    if function.source != Function.PACKAGE:
        data = code_files.code_zip(function)
        frozen = copy.copy(function)
        frozen.package, frozen.code_sha256 = packages.store(data), packages.code_sha256(data)
        frozen.code_size = len(data)
        frozen.handler = code_files.lambda_handler(function)
        function = frozen
    return {name: getattr(function, name) for name in FROZEN}


def publish_version(function: Function, description: str = "") -> FunctionVersion:
    """Publish $LATEST; unchanged since the last version, that version is answered again."""
    snapshot = _snapshot(function)
    with transaction.atomic():
        last = function.versions.order_by("-version").first()
        if last is not None and json.loads(last.snapshot) == snapshot:
            return last
        number = (last.version if last else 0) + 1
        try:
            return FunctionVersion.objects.create(
                function=function, version=number, snapshot=json.dumps(snapshot), description=description[:256],
                revision_id=str(uuid.uuid4()), created=time.time())
        except IntegrityError:
            raise ResourceConflict("Another PublishVersion of this function is in progress; try again.") from None


def at(function: Function, qualifier: str | None) -> Function:
    """The function as ``qualifier`` (None: $LATEST) runs it; ResourceNotFound if there is none."""
    if qualifier in (None, LATEST):
        function.version = LATEST  # type: ignore[attr-defined]
        return function
    assert qualifier is not None
    version = _version_row(function, qualifier) if qualifier.isdigit() else None
    if version is None and not qualifier.isdigit():
        alias = function.aliases.filter(name=qualifier).first()
        if alias is not None:
            return at(function, alias.version)
    if version is None:
        raise _not_found(function, qualifier)
    return as_version(function, version)


def _version_row(function: Function, number: str) -> FunctionVersion | None:
    return function.versions.filter(version=int(number)).first()


def as_version(function: Function, version: FunctionVersion) -> Function:
    frozen = copy.copy(function)
    for name, value in json.loads(version.snapshot).items():
        setattr(frozen, name, value)
    frozen.source, frozen.code = Function.PACKAGE, ""
    frozen.revision_id = version.revision_id
    frozen.modified = version.created
    frozen.version = str(version.version)  # type: ignore[attr-defined]
    return frozen


def versions(function: Function) -> list[Function]:
    """$LATEST, then every published version."""
    return [at(function, LATEST), *(as_version(function, v) for v in function.versions.all())]


def delete_version(function: Function, qualifier: str) -> None:
    if qualifier == LATEST:
        raise InvalidParameterValue("$LATEST version cannot be deleted without deleting the function.")
    version = _version_row(function, qualifier) if qualifier.isdigit() else None
    if version is None:
        raise _not_found(function, qualifier)
    if function.aliases.filter(version=qualifier).exists():
        raise ResourceConflict(f"Unable to delete version because the following aliases reference it: "
                               f"{[a.name for a in function.aliases.filter(version=qualifier)]}")
    version.delete()


# --------------------------------------------------------------------------- aliases


def _check_target(function: Function, version: str) -> None:
    if version != LATEST and (not version.isdigit() or _version_row(function, version) is None):
        raise ResourceNotFound(f"Function not found: {code_files.function_arn(function.name)}:{version}")


def create_alias(function: Function, name: str, version: str, description: str = "") -> FunctionAlias:
    if not ALIAS_NAME.fullmatch(name) or name == LATEST:
        raise InvalidParameterValue(f"Alias name {name!r} must be 1-128 letters, digits, '-' or '_', not only digits.")
    _check_target(function, version)
    if function.aliases.filter(name=name).exists():
        raise ResourceConflict(f"Alias already exists: {alias_arn(function, name)}")
    try:
        with transaction.atomic():
            return FunctionAlias.objects.create(function=function, name=name, version=version,
                                                description=description[:256], revision_id=str(uuid.uuid4()))
    except IntegrityError:  # created by a concurrent call since the check above
        raise ResourceConflict(f"Alias already exists: {alias_arn(function, name)}") from None


def get_alias(function: Function, name: str) -> FunctionAlias:
    alias = function.aliases.filter(name=name).first()
    if alias is None:
        raise ResourceNotFound(f"Alias not found: {alias_arn(function, name)}")
    return alias


def update_alias(alias: FunctionAlias, version: str | None = None, description: str | None = None) -> FunctionAlias:
    if version is not None:
        _check_target(alias.function, version)
        alias.version = version
    if description is not None:
        alias.description = description[:256]
    alias.revision_id = str(uuid.uuid4())
    alias.save()
    return alias


def alias_arn(function: Function, name: str) -> str:
    return f"{code_files.function_arn(function.name)}:{name}"


def delete_alias(function: Function, name: str) -> None:
    """DeleteAlias (ResourceNotFound when the function has no such alias)."""
    get_alias(function, name).delete()
