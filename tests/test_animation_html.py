"""rnnlib.chapters.display.animation_html: matplotlib's player without its Font Awesome CDN link,
and a strip of its frames for print.

The live JupyterLab test (test_live_lab.py) checks the player in the browser (a frame shown,
every button with an icon, 'Next frame' steps); these check the HTML itself.
"""
import re

import matplotlib
import numpy as np
import pytest

from rnnlib.chapters import display

matplotlib.use("Agg")

BUTTONS = ["Decrease speed", "First frame", "Previous frame", "Play backwards", "Pause", "Play",
           "Next frame", "Last frame", "Increase speed"]


def small_animation():
    losses = np.array([1.0, 0.5, 0.25])
    predictions = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    return display.sgd_animation(losses, predictions, np.array([0.5, 0.7]), dpi=25,
                                 figsize=(5, 2.5))


@pytest.fixture(scope="module")
def anim():
    return small_animation()


@pytest.fixture(scope="module")
def player(anim):
    return display.animation_html(anim)


def test_player_fetches_nothing(player):
    assert "font-awesome" not in player
    fetched = r"""<(?:link|script|img|iframe)\b[^>]*\s(?:src|href)\s*=\s*["']?(?:https?:)?//"""
    assert not re.search(fetched, player)


def test_every_button_has_an_svg_icon_and_no_font_icon(player):
    button = r'<button title="([^"]+)"[^>]*>\s*(<svg\b.*?</svg>)</button>'
    buttons = re.findall(button, player, re.S)
    assert [title for title, _ in buttons] == BUTTONS
    assert 'class="fa' not in player
    for title, svg in buttons:
        assert re.search(r"<(?:path|rect)\b", svg), f"{title}: the icon draws nothing"


def test_first_frame_is_the_image_source(player):
    """The first frame shows without the script (an untrusted notebook) and equals frame 0."""
    image = re.search(r'<img id="_anim_img\w+" src="(data:image/png;base64,[\w+/=]+)">', player)
    frame0 = re.search(r'frames\[0\] = "(data:image/png;base64,[\w+/=\\\n]+)"', player)
    assert image and frame0
    assert image.group(1) == frame0.group(1).replace("\\\n", "")


def split(html):
    """The player (inside its rnn-screen-only div) and the print strip's HTML."""
    match = re.fullmatch(r'<div class="rnn-animation"><div class="rnn-screen-only">(.*)</div>'
                         r'(<div class="rnn-animation-strip rnn-print-only" style="display:none">'
                         r'.*</div>)</div>', html, re.S)
    assert match, "the player and its print strip, each in its div"
    return match.group(1), match.group(2)


def test_print_strip_shows_evenly_spaced_frames():
    """A strip of STRIP_FRAMES frames, first to last, hidden on screen, shown in print."""
    losses = np.linspace(1.0, 0.1, 7)
    predictions = np.linspace(0, 1, 14).reshape(7, 2)
    anim = display.sgd_animation(losses, predictions, np.array([0.5, 0.7]), dpi=20,
                                 figsize=(4, 2))
    player, strip = split(display.animation_html(anim))
    frames = [f.replace("\\\n", "") for f in
              re.findall(r'frames\[\d+\] = "(data:image/png;base64,[\w+/=\\\n]+)"', player)]
    shown = re.findall(r'<img src="(data:image/png;base64,[\w+/=]+)" alt="frame (\d+) of 7"', strip)
    assert display.STRIP_FRAMES == 4 and len(frames) == 7
    assert [int(k) for _, k in shown] == [1, 3, 5, 7]
    assert [src for src, _ in shown] == [frames[0], frames[2], frames[4], frames[6]]
    assert re.findall(r"<figcaption[^>]*>([^<]*)</figcaption>", strip) == [
        f"frame {k} of 7" for k in (1, 3, 5, 7)]


def test_everything_else_is_matplotlibs_player(player):
    """Removing the link and swapping the icons is all that changes."""
    player, _ = split(player)
    original = small_animation().to_jshtml(default_mode="once")
    strip_ids = lambda html: re.sub(r"[0-9a-f]{32}", "ID", html)  # noqa: E731
    expected = re.sub(r"<link\b[^>]*font-awesome[^>]*>\s*", "", original)
    expected = re.sub(r'<i class="fa [^"]*"></i>', "ICON", expected)
    expected = re.sub(r'<img id="(_anim_img\w+)">', r'<img id="\1" SRC>', expected)
    got = re.sub(r"<svg\b.*?</svg>", "ICON", player, flags=re.S)
    got = re.sub(r'<img id="(_anim_img\w+)" src="[^"]+">', r'<img id="\1" SRC>', got)
    assert strip_ids(got) == strip_ids(expected)


@pytest.mark.parametrize("mode", ["once", "loop", "reflect"])
def test_default_mode_is_checked(mode):
    html = display.animation_html(small_animation(), default_mode=mode)
    radio = r'<input type="radio" name="state" value="(\w+)" id="[^"]+"\s+checked>'
    checked = re.search(radio, html)
    assert checked and checked.group(1) == mode


@pytest.mark.parametrize("kwargs, error, names", [
    ({"anim": "not an animation"}, TypeError, "anim"),
    ({"default_mode": "forever"}, ValueError, "default_mode"),
    ({"default_mode": None}, ValueError, "default_mode"),
    ({"fps": 0}, ValueError, "fps"),
    ({"fps": "fast"}, TypeError, "fps"),
])
def test_bad_arguments_name_themselves(anim, player, kwargs, error, names):
    args = {"anim": anim, **kwargs}
    with pytest.raises(error, match=names):
        display.animation_html(**args)
