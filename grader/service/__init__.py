"""A warm process shared by command-line invocations: the socket, its framing, the server loop and the client.

``eshikaku submit`` spends most of its time starting: the interpreter, NumPy, the sandbox's zygote and
its layers. A grading service started by the first ``submit`` keeps them warm for the next ones and
exits after an idle while. This package knows nothing of grading: :mod:`grader.learner.submit_service`
says what a request means.
"""
