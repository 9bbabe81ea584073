"""The fake backend's endpoints, one module per resource; :mod:`..routes` maps paths to them.

Each handler takes a :class:`~..parse.Call` and returns ``(status, payload)`` or a
:class:`~julep_async.transports.Response` (a stream).
"""
