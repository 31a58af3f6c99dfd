"""LearnHub as wsgi.py serves it, plus one constant page behind login_required (`/bench/floor`): the floor of
any logged-in page, for bench/page_speed.py. Never served outside the benchmark."""

from flask_login import login_required

from learnhub.database import reads_only
from wsgi import app


@app.get("/bench/floor")
@login_required
@reads_only
def floor() -> str:
    return "floor"
