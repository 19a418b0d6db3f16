"""The engine is pure Python: importing it never drags in the web framework or the ORM."""
import json
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_importing_sync_leaves_flask_and_sqlalchemy_unloaded():
    code = ("import json, sys; import sync, sync.client, sync.engine, sync.pull, sync.store; "
            "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'flask_sqlalchemy', 'werkzeug'))))")

    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout

    assert json.loads(out) == []
