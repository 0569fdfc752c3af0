"""How the sandbox starts a fresh interpreter (zygote or portable child): boot line and environment."""

from __future__ import annotations

import os

BOOT = ("import sys, json; sys.path[:0] = json.loads(sys.argv.pop(1)); "
         "from grader.sandbox.zygote import main; main(sys.argv[1:])")


def child_env(home: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": home,
        "TMPDIR": home,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
    }
    if os.name == "nt":  # pragma: no cover - Windows needs these to start Python at all
        for key in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "PATH", "TEMP", "TMP"):
            if key in os.environ:
                env[key] = os.environ[key]
        env["TEMP"] = env["TMP"] = home
    return env
