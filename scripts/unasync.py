#!/usr/bin/env python3
"""Write ``julep_async/sync.py``, the typed surface of the blocking ``Client``, from the
async code.

In the spirit of httpcore's ``scripts/unasync.py``, with the syntax tree in place of
regular expressions: the async source is read, never imported, so the output depends on
the source text alone and reads like hand-written code.

What it writes, starting from ``AsyncClient`` in ``julep_async/client.py``:

- ``Client``: the exact parameters of ``AsyncClient.__init__``, a typed property for each
  public property and each public attribute set in ``__init__``, and every public method.
- For every property (of the client, or of a class already twinned) whose type is a class
  of ``julep_async/resources/`` with public ``async def`` methods, a twin class
  ``Sync<Name>`` with the same public methods (inherited ones included), parameters,
  defaults, overloads and docstrings, and the same properties and public attributes.
  A resource or method added there (a ``with_raw_response`` namespace, say) needs no
  change here, only a re-run.

Types are mapped by name wherever they occur: ``AsyncPager`` → ``SyncPager``,
``AsyncStream`` → ``SyncStream``, ``AsyncClient`` → ``Client``, a twinned class → its twin,
and a coroutine's result is returned plainly. Each body is one line that calls the async
twin and hands the result to one helper of ``julep_async/_blocking.py`` (``_wait``,
``_stream``, ``_wait_or_stream``, ``_pager``, ``_share``), chosen from the return type.
Anything it cannot map (an async type nested in another, a public static method, an
unannotated attribute) stops it with a message saying what to change.

Usage::

    python scripts/unasync.py           # rewrite julep_async/sync.py
    python scripts/unasync.py --check   # exit 1, showing a diff, if sync.py is out of date
"""

from __future__ import annotations

import argparse
import ast
import builtins
import difflib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "julep_async"
TARGET = ROOT / PACKAGE / "sync.py"
TARGET_MODULE = f"{PACKAGE}.sync"
RAW_TARGET = ROOT / PACKAGE / "resources" / "_raw.py"
RAW_MODULE = f"{PACKAGE}.resources._raw"
# Calls that make many requests have no one exchange to show: no raw twin.
NOT_RAW = {"chat_many"}
RUNTIME = f"{PACKAGE}._blocking"
ENTRY = (f"{PACKAGE}.client", "AsyncClient")
LINE = 120
# Where the namespaces of API calls (resources, and whatever they offer as properties) live.
NAMESPACES = f"{PACKAGE}.resources."

# Names the blocking surface spells differently: the async type → its blocking twin.
RENAMES = {"AsyncClient": "Client", "AsyncPager": "SyncPager", "AsyncStream": "SyncStream"}
# What ``julep_async/_blocking.py`` provides by hand for the client, in place of these.
LIFECYCLE = {"aclose"}
DECORATORS = {"overload", "property", "cached_property"}
BUILTINS = set(dir(builtins))
STDLIB = set(sys.stdlib_module_names)


class GeneratorError(Exception):
    """The async code has a shape this script does not know how to mirror."""


# -- reading the async source -------------------------------------------------------


@dataclass
class Module:
    name: str
    path: Path
    source: str
    tree: ast.Module
    symbols: dict[str, tuple[str, str] | ast.AST] = field(default_factory=dict)

    def segment(self, node: ast.AST) -> str:
        """The source text of ``node``, on one line."""
        text = ast.get_source_segment(self.source, node)
        if text is None or "\n" in text:
            return ast.unparse(node)
        return text


_modules: dict[str, Module] = {}


def load(name: str) -> Module:
    """The module ``name`` of the package, parsed, with its top-level symbol table."""
    if name in _modules:
        return _modules[name]
    base = ROOT.joinpath(*name.split("."))
    path = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
    source = path.read_text()
    module = Module(name, path, source, ast.parse(source, str(path)))
    is_package = path.name == "__init__.py"
    for node in _top_level(module.tree.body):
        if isinstance(node, ast.ImportFrom):
            origin = _absolute(name, node.module, node.level, is_package)
            for alias in node.names:
                module.symbols[alias.asname or alias.name] = (origin, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module.symbols[alias.asname or alias.name.partition(".")[0]] = (alias.name, "")
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            module.symbols[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    module.symbols[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            module.symbols[node.target.id] = node
    _modules[name] = module
    return module


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The module's statements, ``if TYPE_CHECKING:`` and ``try:`` blocks flattened."""
    for node in body:
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            yield from _top_level(node.body)
        else:
            yield node


def _absolute(module: str, target: str | None, level: int, is_package: bool) -> str:
    if level == 0:
        return target or ""
    parts = module.split(".")
    parts = parts[: len(parts) - level + (1 if is_package else 0)]
    return ".".join([*parts, target] if target else parts)


def origin(module: Module, name: str) -> tuple[str, str]:
    """Where ``name``, as used in ``module``, is imported from: (module, name)."""
    symbol = module.symbols.get(name)
    if symbol is None:
        raise GeneratorError(f"{module.name}: cannot tell where {name!r} comes from")
    return symbol if isinstance(symbol, tuple) else (module.name, name)


def find_class(module: Module, name: str) -> tuple[Module, ast.ClassDef] | None:
    """The class ``name`` names in ``module``, following imports within the package."""
    symbol = module.symbols.get(name)
    if isinstance(symbol, ast.ClassDef):
        return module, symbol
    if isinstance(symbol, tuple) and symbol[0].partition(".")[0] == PACKAGE and symbol[1]:
        return find_class(load(symbol[0]), symbol[1])
    return None


# -- what a class offers ------------------------------------------------------------


@dataclass
class Method:
    module: Module
    name: str
    overloads: list[ast.FunctionDef | ast.AsyncFunctionDef]
    impl: ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Prop:
    module: Module
    name: str
    node: ast.FunctionDef | None  # None: an attribute set in ``__init__``
    annotation: ast.expr
    decorator: str = "property"


def _decorators(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    names: list[str] = []
    for decorator in node.decorator_list:
        if not isinstance(decorator, ast.Name):
            raise GeneratorError(f"{node.name}: decorator {ast.unparse(decorator)!r} is not supported")
        names.append(decorator.id)
    return names


def lineage(module: Module, cls: ast.ClassDef) -> Iterator[tuple[Module, ast.ClassDef]]:
    """The class, then its bases defined in the package, depth first (a simple MRO)."""
    yield module, cls
    for base in cls.bases:
        if isinstance(base, ast.Name) and (found := find_class(module, base.id)) is not None:
            yield from lineage(*found)


def members(module: Module, cls: ast.ClassDef) -> tuple[list[Prop], list[Method]]:
    """The public properties (class attributes among them) and methods of a class,
    inherited ones included, in order."""
    props: dict[str, Prop] = {}
    methods: dict[str, Method] = {}
    seen: set[str] = set()
    for owner, node in lineage(module, cls):
        level: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                level.setdefault(item.name, []).append(item)
            elif (attribute := _class_attribute(owner, node, item)) is not None and attribute.name not in seen:
                seen.add(attribute.name)
                props[attribute.name] = attribute
        for name, defs in level.items():
            if name in seen:
                continue
            seen.add(name)
            if name.startswith("_"):
                continue
            decorators = _decorators(defs[-1])
            if set(decorators) & {"property", "cached_property"}:
                if len(defs) > 1:
                    raise GeneratorError(f"{node.name}.{name}: a property with a setter is not supported")
                if defs[-1].returns is None:
                    raise GeneratorError(f"{node.name}.{name}: annotate the property's type")
                assert isinstance(defs[-1], ast.FunctionDef)
                props[name] = Prop(owner, name, defs[-1], defs[-1].returns, decorators[0])
                continue
            if unknown := set(decorators) - DECORATORS:
                raise GeneratorError(f"{node.name}.{name}: @{', @'.join(sorted(unknown))} is not supported")
            overloads = [d for d in defs if "overload" in _decorators(d)]
            impl = [d for d in defs if "overload" not in _decorators(d)]
            if len(impl) != 1:
                raise GeneratorError(f"{node.name}.{name}: expected one implementation, found {len(impl)}")
            methods[name] = Method(owner, name, overloads, impl[0])
    return list(props.values()), list(methods.values())


def _class_attribute(module: Module, cls: ast.ClassDef, item: ast.stmt) -> Prop | None:
    """A public attribute set in the class body, typed by its annotation or its literal."""
    annotation: ast.expr | None
    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
        name, annotation = item.target.id, item.annotation
    elif isinstance(item, ast.Assign) and len(item.targets) == 1 and isinstance(item.targets[0], ast.Name):
        name = item.targets[0].id
        value = item.value.value if isinstance(item.value, ast.Constant) else None
        annotation = ast.Name(type(value).__name__) if isinstance(value, (str, int, float, bool)) else None
        if annotation is None and not name.startswith("_"):
            raise GeneratorError(f"{cls.name}.{name}: annotate the class attribute")
    else:
        return None
    if name.startswith("_") or annotation is None:
        return None
    return Prop(module, name, None, annotation)


def attributes(module: Module, cls: ast.ClassDef) -> list[Prop]:
    """The public attributes ``__init__`` sets, typed by their annotation, or by the
    annotation of the parameter they are set from."""
    init = next((n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
    if init is None:
        return []
    params = {a.arg: a.annotation for a in [*init.args.args, *init.args.kwonlyargs] if a.annotation is not None}
    found: dict[str, Prop] = {}
    targets: list[ast.expr]
    annotation: ast.expr | None
    for node in ast.walk(init):
        if isinstance(node, ast.AnnAssign):
            targets, annotation = [node.target], node.annotation
        elif isinstance(node, ast.Assign):
            targets = node.targets
            value = node.value
            annotation = params.get(value.id) if isinstance(value, ast.Name) else None
        else:
            continue
        for target in targets:
            if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id == "self") or target.attr.startswith("_") or target.attr in found:
                continue
            if annotation is None:
                raise GeneratorError(f"{cls.name}.__init__: annotate self.{target.attr} (its type is not a "
                                     "parameter's)")
            found[target.attr] = Prop(module, target.attr, None, annotation)
    return list(found.values())


def is_namespace(module: Module, cls: ast.ClassDef) -> bool:
    """Whether a class is a namespace of API calls: it has a public coroutine method."""
    return any(isinstance(item, ast.AsyncFunctionDef) and not item.name.startswith("_")
               for _, node in lineage(module, cls) for item in node.body)


# -- writing ------------------------------------------------------------------------


@dataclass
class Twin:
    module: Module
    cls: ast.ClassDef
    name: str


class Writer:
    target_module = TARGET_MODULE

    def __init__(self) -> None:
        self.imports: dict[str, set[str]] = {}
        self.renames = dict(RENAMES)
        self.twins: list[Twin] = []

    # names and imports

    def need(self, module: str, name: str) -> None:
        self.imports.setdefault(module, set()).add(name)

    def text(self, module: Module, node: ast.expr, *, where: str, mapped: bool = True) -> str:
        """``node`` as source text in the generated module; its names imported, renamed."""
        for name in sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name)}):
            if name in self.renames:
                if not mapped:
                    raise GeneratorError(f"{where}: {name} cannot be passed to the blocking client")
                continue
            if name in BUILTINS and name not in module.symbols:
                continue
            source, real = origin(module, name)
            if not real:
                raise GeneratorError(f"{where}: use 'from {source} import ...' for {name!r}")
            if real != name:
                raise GeneratorError(f"{where}: {name!r} is imported under another name")
            self.need(source, name)
        text = module.segment(node)
        for old, new in self.renames.items():
            text = re.sub(rf"\b{old}\b", new, text)
        return text

    def twin_of(self, module: Module, annotation: ast.expr) -> str | None:
        """The twin's name if ``annotation`` names a namespace class, planning it if new."""
        if not isinstance(annotation, ast.Name):
            return None
        if annotation.id in self.renames:
            return self.renames[annotation.id]
        found = find_class(module, annotation.id)
        if found is None or not found[0].name.startswith(NAMESPACES) or not is_namespace(*found):
            return None
        name = f"Sync{found[1].name}"
        if name in self.renames.values():
            raise GeneratorError(f"two classes would both be twinned as {name}")
        self.renames[annotation.id] = name
        self.twins.append(Twin(found[0], found[1], name))
        source, real = origin(module, annotation.id)
        self.need(source, real)  # the twin's base, ``Blocking[<async class>]``
        return name

    # signatures

    def parameters(self, module: Module, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[list[str], list[str]]:
        """The parameters as written, and the arguments that forward them."""
        args = fn.args
        where = f"{module.name}:{fn.lineno} {fn.name}"
        positional = [*args.posonlyargs, *args.args]
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        params: list[str] = []
        forward: list[str] = []

        def one(arg: ast.arg, default: ast.expr | None, prefix: str = "") -> str:
            text = prefix + arg.arg
            if arg.annotation is not None:
                text += ": " + self.text(module, arg.annotation, where=where, mapped=False)
            if default is not None:
                text += (" = " if arg.annotation is not None else "=") + self.text(module, default, where=where,
                                                                                   mapped=False)
            return text

        for index, (arg, default) in enumerate(zip(positional, defaults, strict=True)):
            params.append(one(arg, default))
            if index == len(args.posonlyargs) - 1:
                params.append("/")
            if index > 0 or arg.arg != "self":
                forward.append(arg.arg)
        if args.vararg is not None:
            params.append(one(args.vararg, None, "*"))
            forward.append(f"*{args.vararg.arg}")
        elif args.kwonlyargs:
            params.append("*")
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            params.append(one(arg, kw_default))
            forward.append(f"{arg.arg}={arg.arg}")
        if args.kwarg is not None:
            params.append(one(args.kwarg, None, "**"))
            forward.append(f"**{args.kwarg.arg}")
        if not positional or positional[0].arg != "self":
            raise GeneratorError(f"{where}: only instance methods are mirrored")
        return params, forward

    def body(self, module: Module, fn: ast.FunctionDef | ast.AsyncFunctionDef, *, client: bool) -> str:
        """The one statement that runs ``{call}`` (the async twin's method) and maps its result."""
        where = f"{module.name}:{fn.lineno} {fn.name}"
        union = _union(_required(fn.returns, where))
        heads = [_head(member) for member in union]
        mapped = {head for head in heads if head in self.renames}
        nested = [ast.unparse(member) for member in union if isinstance(member, ast.Subscript)
                  and any(isinstance(n, ast.Name) and n.id in self.renames for n in ast.walk(member.slice))]
        if not nested and isinstance(fn, ast.AsyncFunctionDef):
            if not mapped:
                return "self._wait({call})" if heads == ["None"] else "return self._wait({call})"
            if mapped == {"AsyncStream"}:
                return "return self._stream({call})" if len(heads) == 1 else "return self._wait_or_stream({call})"
        elif not nested:
            if not mapped:
                return "return {call}"
            if heads == ["AsyncPager"]:
                return "return self._pager({call})"
            if heads == ["AsyncClient"] and client:
                return "return self._share({call})"
        shown = nested[0] if nested else ast.unparse(_required(fn.returns, where))
        raise GeneratorError(f"{where}: cannot map the return type {shown}; give scripts/unasync.py and "
                             "julep_async/_blocking.py a helper for it")

    def method(self, method: Method, *, client: bool) -> list[str]:
        lines: list[str] = []
        where = f"{method.module.name}:{method.impl.lineno} {method.name}"
        for stub in method.overloads:
            params, _ = self.parameters(method.module, stub)
            returns = self.text(method.module, _required(stub.returns, where), where=where)
            lines += ["    @overload", *_signature(method.name, params, returns, "..."), ""]
            self.need("typing", "overload")
        params, forward = self.parameters(method.module, method.impl)
        returns = self.text(method.module, _required(method.impl.returns, where), where=where)
        lines += _signature(method.name, params, returns)
        lines += _docstring(method.module, method.impl)
        lines += _call(self.body(method.module, method.impl, client=client), f"self._async.{method.name}", forward)
        return lines

    def prop(self, prop: Prop) -> list[str]:
        where = f"{prop.module.name} {prop.name}"
        twin = self.twin_of(prop.module, prop.annotation)
        returns = twin if twin is not None else self.text(prop.module, prop.annotation, where=where)
        if twin is None and any(isinstance(n, ast.Name) and n.id in self.renames for n in ast.walk(prop.annotation)):
            raise GeneratorError(f"{where}: cannot map the property type {returns}")
        if prop.decorator == "cached_property":
            self.need("functools", "cached_property")
        lines = [f"    @{prop.decorator}", f"    def {prop.name}(self) -> {returns}:"]
        if prop.node is not None:
            lines += _docstring(prop.module, prop.node)
        value = f"self._async.{prop.name}"
        lines.append(f"        return {twin}(self._portal, {value})" if twin is not None else f"        return {value}")
        return lines

    # classes

    def client(self) -> list[str]:
        module, cls = entry()
        init = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "__init__")
        params, forward = self.parameters(module, init)
        self.need(module.name, cls.name)
        self.need(RUNTIME, "ClientCore")
        lines = ["class Client(ClientCore):", *_client_docstring(module, cls), ""]
        lines += _signature("__init__", params, "None")
        lines += _call("{call}", "self._open", [cls.name, *forward])
        props, methods = members(module, cls)
        for prop in [*attributes(module, cls), *props]:
            lines += ["", *self.prop(prop)]
        for method in methods:
            if method.name not in LIFECYCLE:
                lines += ["", *self.method(method, client=True)]
        return lines

    def twin(self, twin: Twin) -> list[str]:
        self.need(RUNTIME, "Blocking")
        lines = [f"class {twin.name}(Blocking[{twin.cls.name}]):"]
        lines.append(f'    """The blocking twin of :class:`~{twin.module.name}.{twin.cls.name}`."""')
        props, methods = members(twin.module, twin.cls)
        for prop in props:
            lines += ["", *self.prop(prop)]
        for method in methods:
            lines += ["", *self.method(method, client=False)]
        return lines

    def plan(self) -> None:
        """Find every class to twin before writing, so each type is mapped wherever it occurs."""
        pending = [entry()]
        while pending:
            for prop in members(*pending.pop(0))[0]:
                known = len(self.twins)
                self.twin_of(prop.module, prop.annotation)
                pending += [(twin.module, twin.cls) for twin in self.twins[known:]]

    def module(self) -> str:
        self.plan()
        classes = [self.client(), *(self.twin(twin) for twin in self.twins)]
        self.need(RUNTIME, "SyncPager")
        self.need(RUNTIME, "SyncStream")
        exported = sorted(["Client", "SyncPager", "SyncStream", *(t.name for t in self.twins)])
        body = "\n\n\n".join("\n".join(lines) for lines in classes)
        return "\n".join([
            HEADER.strip("\n"), "", "from __future__ import annotations", "", *self.import_lines(), "",
            "__all__ = [", *(f'    "{name}",' for name in exported), "]", "", "", body, "",
        ])

    def import_lines(self) -> list[str]:
        groups: list[list[str]] = [[], [], []]
        for module in sorted(self.imports, key=lambda name: _module_key(name, self.target_module)):
            names = sorted(self.imports[module], key=_name_key)
            top = module.partition(".")[0]
            if top == PACKAGE:
                group, spelled = 2, _relative(module, self.target_module)
            else:
                group, spelled = (0 if top in STDLIB else 1), module
            line = f"from {spelled} import {', '.join(names)}"
            if len(line) > LINE:
                line = "\n".join([f"from {spelled} import (", *(f"    {n}," for n in names), ")"])
            groups[group].append(line)
        lines: list[str] = []
        for block in groups:
            if block:
                lines += [*([""] if lines else []), *block]
        return lines


class RawWriter(Writer):
    """Writes ``julep_async/resources/_raw.py``: for each resource, a twin whose methods
    return :class:`~julep_async.RawResponse` of what the resource's methods return (the
    ``with_raw_response`` namespaces). Methods that return a pager or a stream, and the
    streaming overloads of one that may, have no raw twin."""

    target_module = RAW_MODULE

    def plan_raw(self) -> list[Twin]:
        twins: list[Twin] = []
        pending = [entry()]
        seen: set[str] = set()
        while pending:
            module, cls = pending.pop(0)
            for prop in members(module, cls)[0]:
                if not isinstance(prop.annotation, ast.Name):
                    continue
                found = find_class(prop.module, prop.annotation.id)
                if found is None or not found[0].name.startswith(NAMESPACES) or not is_namespace(*found):
                    continue
                if found[0].name == RAW_MODULE or found[1].name in seen:
                    continue
                seen.add(found[1].name)
                twins.append(Twin(found[0], found[1], f"{found[1].name}WithRawResponse"))
                pending.append(found)
        return twins

    def raw_method(self, method: Method) -> list[str]:
        where = f"{method.module.name}:{method.impl.lineno} {method.name}"
        if not isinstance(method.impl, ast.AsyncFunctionDef) or method.name in NOT_RAW:
            return []
        plain = [stub for stub in method.overloads if not self._streams(_required(stub.returns, where))]
        if method.overloads and len(plain) != 1:
            return []
        signature = plain[0] if method.overloads else method.impl
        if self._streams(_required(signature.returns, where)):
            return []
        params, forward = self.parameters(method.module, signature)
        returns = self.text(method.module, _required(signature.returns, where), where=where)
        lines = _signature(method.name, params, f"RawResponse[{returns}]", keyword="async def")
        lines += _docstring(method.module, method.impl)
        lines += _call("return await raw({call})", f"self._resource.{method.name}", forward)
        return lines

    @staticmethod
    def _streams(returns: ast.expr) -> bool:
        return any(isinstance(n, ast.Name) and n.id in ("AsyncStream", "AsyncPager") for n in ast.walk(returns))

    def raw_twin(self, twin: Twin) -> list[str]:
        self.need(twin.module.name, twin.cls.name)
        lines = [
            f"class {twin.name}:",
            f'    """``with_raw_response`` of :class:`~{twin.module.name}.{twin.cls.name}`: the same calls,',
            '    each returning a :class:`~julep_async.RawResponse`."""',
            "",
            f"    def __init__(self, resource: {twin.cls.name}) -> None:",
            "        self._resource = resource",
        ]
        for method in members(twin.module, twin.cls)[1]:
            if body := self.raw_method(method):
                lines += ["", *body]
        return lines

    def module(self) -> str:
        twins = self.plan_raw()
        classes = [self.raw_twin(twin) for twin in twins]
        self.need(f"{PACKAGE}._response", "RawResponse")
        self.need(f"{PACKAGE}._response", "raw")
        exported = sorted(twin.name for twin in twins)
        body = "\n\n\n".join("\n".join(lines) for lines in classes)
        return "\n".join([
            RAW_HEADER.strip("\n"), "", "from __future__ import annotations", "", *self.import_lines(), "",
            "__all__ = [", *(f'    "{name}",' for name in exported), "]", "", "", body, "",
        ])


HEADER = '''
"""The blocking client: :class:`Client`, and a blocking twin of each async resource.

GENERATED FILE, do not edit: ``scripts/unasync.py`` writes it from the async code
(``julep_async/client.py`` and ``julep_async/resources/``). Regenerate it with
``python scripts/unasync.py``; ``python scripts/unasync.py --check`` (run by ``.ci/run``)
fails when it is out of date.

Nothing here is a second copy of the code. Each method has its async twin's parameters,
overloads and docstring, and one line that runs the twin on the client's anyio blocking
portal (see ``julep_async/_blocking.py``), so a type checker sees the async client's
types, minus the ``await``: plain results, :class:`SyncPager` for ``list()`` and
:class:`SyncStream` for streams.
"""
'''


RAW_HEADER = '''
"""The ``with_raw_response`` namespaces: each resource's calls, returning a
:class:`~julep_async.RawResponse` (status, headers, request id, retries, elapsed time, and
the parsed reply through ``parse()``).

GENERATED FILE, do not edit: ``scripts/unasync.py`` writes it from the resources
(``julep_async/resources/``), before the blocking client. Regenerate it with
``python scripts/unasync.py``; ``python scripts/unasync.py --check`` fails when it is out
of date.
"""
'''


def _required(node: ast.expr | None, where: str) -> ast.expr:
    if node is None:
        raise GeneratorError(f"{where}: annotate the return type")
    return node


def _union(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*_union(node.left), *_union(node.right)]
    return [node]


def _head(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and node.value is None:
        return "None"
    return ast.unparse(node)


def _signature(name: str, params: list[str], returns: str, tail: str = "", *, keyword: str = "def") -> list[str]:
    line = f"    {keyword} {name}({', '.join(params)}) -> {returns}:{' ' + tail if tail else ''}"
    if len(line) <= LINE:
        return [line]
    return [f"    {keyword} {name}(", *(f"        {p}," for p in params), f"    ) -> {returns}:"
            + (f" {tail}" if tail else "")]


def _call(statement: str, function: str, arguments: list[str]) -> list[str]:
    """``statement`` with ``{call}`` replaced by ``function(arguments)``, wrapped if long."""
    line = "        " + statement.replace("{call}", f"{function}({', '.join(arguments)})")
    if len(line) <= LINE:
        return [line]
    head, _, tail = statement.partition("{call}")
    return [f"        {head}{function}(", *(f"            {a}," for a in arguments), f"        ){tail}"]


def _docstring(module: Module, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """The docstring as written (same indentation, so ``__doc__`` is identical)."""
    first = fn.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return []
    if first.col_offset != 8:
        raise GeneratorError(f"{module.name}:{fn.lineno} {fn.name}: a docstring indented unusually")
    text = ast.get_source_segment(module.source, first)
    assert text is not None
    return ("        " + text).split("\n")


def _client_docstring(module: Module, cls: ast.ClassDef) -> list[str]:
    doc = ast.get_docstring(cls, clean=False) or ""
    _, _, rest = doc.partition("\n\n")
    lines = ['    """The blocking Julep client: :class:`~julep_async.AsyncClient` run on an anyio blocking',
             "    portal, with the same arguments, resources and methods as plain calls. Use it as a",
             "    context manager, or call :meth:`close`."]
    if rest.strip():
        lines += ["", *(line.rstrip() for line in rest.rstrip().split("\n"))]
    return [*lines, '    """']


def _relative(module: str, target: str) -> str:
    here = target.split(".")[:-1]
    parts = module.split(".")
    common = 0
    while common < min(len(here), len(parts)) and here[common] == parts[common]:
        common += 1
    return "." * (len(here) - common + 1) + ".".join(parts[common:])


def _module_key(module: str, target: str) -> tuple[int, str]:
    spelled = _relative(module, target) if module.partition(".")[0] == PACKAGE else module
    dots = len(spelled) - len(spelled.lstrip("."))
    return (-dots, spelled.lstrip(".").lower())


def _name_key(name: str) -> tuple[int, str]:
    """isort's order by type: CONSTANTS, Classes, functions."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name.lower())


def entry() -> tuple[Module, ast.ClassDef]:
    found = find_class(load(ENTRY[0]), ENTRY[1])
    if found is None:
        raise GeneratorError(f"no class {ENTRY[1]} in {ENTRY[0]}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail, with a diff, if a generated file is out of date")
    options = parser.parse_args(argv)
    # The raw twins first: the blocking client mirrors them too, read from disk.
    for target, writer in ((RAW_TARGET, RawWriter), (TARGET, Writer)):
        _modules.clear()
        try:
            expected = writer().module()
        except GeneratorError as error:
            print(f"scripts/unasync.py: {error}", file=sys.stderr)
            return 2
        relative = target.relative_to(ROOT)
        current = target.read_text() if target.exists() else ""
        if current == expected:
            continue
        if options.check:
            diff = difflib.unified_diff(current.splitlines(keepends=True), expected.splitlines(keepends=True),
                                        f"{relative} (committed)", f"{relative} (generated)")
            sys.stdout.writelines(diff)
            print(f"\n{relative} is out of date with the async code: run python scripts/unasync.py", file=sys.stderr)
            return 1
        target.write_text(expected)
        print(f"wrote {relative}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
