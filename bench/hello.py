"""A bare Flask "hello" app: the baseline that lesson-page throughput is compared with."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
