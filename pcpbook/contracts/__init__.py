"""The contract layer: every input file kind declared once, as a schema, with its loader's errors.

``problems`` holds the error types every loader reports through (file, line, field, what was
expected); ``schema`` turns a declared model and a YAML mapping into a checked value or problems
(unknown keys refused with the closest known key, ids held to a safe pattern, impossible values
refused); ``kinds`` declares the file kinds themselves.
"""
