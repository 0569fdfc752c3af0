"""Running learner code safely: one fresh, isolated child per submission.

Parent side (the grader's process):
  ``sandbox``        the public API: :class:`~grader.sandbox.sandbox.Sandbox`, ``SandboxPool``, ``layer_status``
  ``zygote_client``  the fork path: starts a zygote, hands each standby child its run, collects the result
  ``portable``       the spawn path (macOS, Windows, ``ESHIKAKU_SANDBOX=spawn``): a fresh interpreter per run
  ``results``        ``Limits``, ``RunResult``, outcomes, and the readers of the child's frames and output
  ``scratch``        removing what a child left in its scratch directory
  ``interpreter``    how a fresh sandbox interpreter is started (boot line, environment)

Zygote and child side:
  ``zygote``         the secret-free server: forks standby children, kills and reaps them, sweeps leftovers
  ``child``          what a forked child does: apply its layers, take its run, call the entry, exit
  ``isolation``      which layers a zygote applies, each proved by a self-test child; ``LayerStatus``
  ``harness``        the entry that runs in the child: decodes the program, runs the learner's code

The kernel layers, one module each: ``rlimits``, ``capabilities``, ``namespaces`` (user + network, and
the task uid), ``pidns``, ``scratchfs`` (a capped private tmpfs per child), ``landlock``, ``seccomp``;
``allowlist`` (what a child may read), ``importseal``, ``syscalls`` (libc, numbers, prctl).
``probe`` tries each forbidden action from a real child (``python -m grader.sandbox.probe``).
"""
