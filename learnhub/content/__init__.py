"""Course content as code: parse, validate, render and sanitise course folders.

Pure Python: nothing here imports Flask or the database, so the validator runs anywhere.
"""
