"""After the server's warm-up, does any page still import a heavy library on its first run?

A first import inside a page holds the interpreter for seconds and stalls every learner on
the server (the learning-rate preview once imported torch's compiler: 2 s on first visit)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from settings import PROJECT_ROOT

# A first run may import a few small modules that libraries load lazily (plotly loads each
# figure class on first use, a millisecond or so each); a heavy library or subsystem brings
# hundreds (torch's compiler about 800, scikit-learn's datasets with their loaders dozens).
MAX_NEW_MODULES = 30

# Runs in a fresh interpreter: warm up as the server does, then open every page of a learner
# and of a teacher once, noting each first run that imported too many modules.
SCRIPT = """
import json, sys
from db.migrate import upgrade
upgrade()
from server.warm_up import preload_page_modules
preload_page_modules()
from streamlit.testing.v1 import AppTest
import ui.common.auth
from classroom import accounts, classes, sessions
teacher = accounts.create_first_teacher("teacher", "Tess", "a long enough secret")
klass = classes.create_class(teacher, "Year 10")
learner = accounts.sign_up_learner("lin", "Lin", "a long enough secret", klass.join_code)
found = {}
for who, actor in (("learner", learner), ("teacher", teacher)):
    token = sessions.start_session(actor)
    ui.common.auth.session_token = lambda token=token: token
    at = AppTest.from_file("navigation.py", default_timeout=120)
    at.run()
    pages = sorted({p.split("/")[-1] for p in sys.argv[2:]})
    for page in pages:
        before = set(sys.modules)
        at.switch_page("pages/" + page).run()
        new = sorted(set(sys.modules) - before)
        if at.exception or len(new) > int(sys.argv[1]):
            found[who + " " + page] = [str(e.value) for e in at.exception] + new[:8]
print(json.dumps(found))
"""


def test_does_no_page_import_a_heavy_library_after_the_warm_up(tmp_path) -> None:
    pages = sorted(str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "pages").glob("*.py"))
    pages = [p for p in pages if not p.endswith("welcome.py")]  # the signed-out page
    env = {**os.environ, "DLL_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(MAX_NEW_MODULES), *pages],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {}
