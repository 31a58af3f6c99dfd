"""Uploaded media (issue 16, decision 0078): the type is read from the bytes, and SVG is rebuilt from an
allow-list or refused naming what was found (a hostile corpus)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel

from learnhub.content.markdown import render_markdown
from learnhub.content.problems import Problem
from learnhub.services.media_types import MediaRefused, checked, sanitise_svg, sniff

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
SVG = 'xmlns="http://www.w3.org/2000/svg"'


@pytest.fixture(autouse=True)
def request_context():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def refusal(name: str, data: bytes) -> list[str]:
    with pytest.raises(MediaRefused) as refused:
        checked(name, data)
    return [str(message) for message in refused.value.messages]


@pytest.mark.parametrize(("data", "kind"), [
    (PNG, "png"), (JPEG, "jpeg"), (b"GIF89a\x01\x00", "gif"), (b"GIF87a\x01\x00", "gif"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"), (b"%PDF-1.7\n", "pdf"),
    (f"<?xml version='1.0'?>\n<svg {SVG}/>".encode(), "svg"), (b"\xef\xbb\xbf<svg>", "svg"),
    (b"<html><script>", None), (b"MZ\x90\x00", None), (b"", None),
])
def test_the_type_is_read_from_the_bytes(data, kind):
    assert sniff(data) == kind


def test_a_name_and_content_that_disagree_are_refused_naming_both():
    assert checked("media/a.png", PNG) == PNG
    assert checked("media/a.JPG", JPEG) == JPEG
    assert refusal("media/photo.png", JPEG) == [
        "media/photo.png: the name says PNG, but the content is JPEG; rename the file or export it again."]
    assert refusal("media/photo.png", b"<html><script>alert(1)</script>") == [
        "media/photo.png: the name says PNG, but the content is not a PNG file (nor any type uploaded here)."]
    assert refusal("media/song.mp3", b"ID3") == [
        "media/song.mp3: only PNG, JPEG, GIF, WebP, SVG and PDF files can be uploaded here."]


def svg_refusal(document: str) -> str:
    with pytest.raises(MediaRefused) as refused:
        sanitise_svg("media/d.svg", document.encode())
    return str(refused.value.messages[0])


def test_a_clean_svg_is_rebuilt_without_editor_clutter_or_comments():
    document = (f'<?xml version="1.0"?>\n<!-- made by hand --><svg {SVG} '
                'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 10 10" '
                'inkscape:version="1.2" data-x="1"><metadata><rdf/></metadata><title>A &amp; B</title>'
                '<rect width="10" height="10" fill="url(#g)"/><g><use xmlns:xlink="http://www.w3.org/1999/xlink" '
                'xlink:href="#a"/></g><text x="1">Hola</text></svg>')
    assert sanitise_svg("media/d.svg", document.encode()) == (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'
        b'<title>A &amp; B</title><rect width="10" height="10" fill="url(#g)"/><g><use xlink:href="#a"/></g>'
        b'<text x="1">Hola</text></svg>\n')


@pytest.mark.parametrize(("document", "found"), [
    (f"<svg {SVG}><script>alert(1)</script></svg>", "a <script> element"),
    (f'<svg {SVG} onload="alert(1)"/>', "an event handler onload on <svg>"),
    (f'<svg {SVG}><a href=" javascript:alert(1)"><text>x</text></a></svg>', 'a "javascript:" link in href on <a>'),
    (f'<svg {SVG} xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://evil.example/x.png"/></svg>',
     "an external reference in xlink:href on <image> (https://evil.example/x.png)"),
    (f'<svg {SVG}><use href="file:///etc/passwd#x"/></svg>',
     "an external reference in href on <use> (file:///etc/passwd#x)"),
    (f'<svg {SVG}><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>',
     "a <foreignObject> element"),
    (f'<svg {SVG}><style>@import url(https://evil.example/a.css);</style></svg>',
     "@import in the style of <style>; an external reference url(https://evil.example/a.css) in the style of "
     "<style>"),
    (f'<svg {SVG}><rect style="fill: url(http://evil.example/p)"/></svg>',
     "an external reference url(http://evil.example/p) in the style of <rect>"),
    ('<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>',
     "a root element <html> that is not <svg>; a <html> element"),
])
def test_hostile_svgs_are_refused_naming_what_was_found(document, found):
    assert svg_refusal(document) == (f"media/d.svg: the SVG is refused because it contains {found}. Remove it and "
                                     "upload the file again.")


@pytest.mark.parametrize("document", [
    f'<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg {SVG}><text>&b;</text></svg>',
    f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg {SVG}><text>&x;</text></svg>',
    f'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg {SVG}/>',
])
def test_a_doctype_or_entity_is_refused_before_anything_is_expanded(document):
    assert svg_refusal(document) == ("media/d.svg: the SVG declares a DOCTYPE or entities, which are not allowed; "
                                      "export it again as plain SVG.")


def test_an_svg_that_is_not_xml_is_refused_with_its_line():
    assert svg_refusal(f"<svg {SVG}>\n<rect") == "media/d.svg: the SVG is not well-formed XML (line 2: unclosed token)."


def test_a_lesson_image_without_alt_text_is_an_error_at_its_line():
    source = ("Intro\n\n![](media/a.png)\n\n![  ](media/b.png) and ![A chart](media/c.png)\n\n"
              "<img src=\"media/d.png\">\n")
    rendered = render_markdown(source, course_id="c", path="intro.md")
    assert rendered.images == ((3, "media/a.png", ""), (5, "media/b.png", ""), (5, "media/c.png", "A chart"),
                               (7, "media/d.png", ""))
    hint = "describe it for learners who cannot see it, as in ![what the picture shows]"
    assert [p for p in rendered.problems if "alt text" in p.message] == [
        Problem("intro.md", 3, "error", f"image 'media/a.png' has no alt text: {hint}(media/a.png)"),
        Problem("intro.md", 5, "error", f"image 'media/b.png' has no alt text: {hint}(media/b.png)"),
        Problem("intro.md", 7, "error", f"image 'media/d.png' has no alt text: {hint}(media/d.png)"),
    ]
