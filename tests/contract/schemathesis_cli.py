"""The schemathesis command, with one workaround for CPython 3.11 (before 3.11.9).

Hypothesis parses a lambda's source only to describe a strategy in messages. On those Pythons,
parsing deep inside the coverage phase's recursion can fail with "SystemError: AST constructor
recursion depth mismatch", which aborts the whole operation's tests. A description is not worth
that: such a lambda is described as unknown instead.
"""

import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources._lambda_description


def _describe_or_give_up(f, *args, **kwargs):
    try:
        return _describe(f, *args, **kwargs)
    except SystemError:
        return "lambda: <unknown>"


lambda_sources._lambda_description = _describe_or_give_up

from schemathesis.cli import schemathesis  # noqa: E402

if __name__ == "__main__":
    sys.argv[0] = "schemathesis"
    sys.exit(schemathesis())
