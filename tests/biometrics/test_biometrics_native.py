"""Native matcher against the pure-Python reference (the oracle), and its own properties.

Every test name holds "native" so that ``-k native`` (the AddressSanitizer job) selects them.
"""

from __future__ import annotations

import array
import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chipid.biometrics import _match_ref as ref
from chipid.biometrics import match
from chipid.biometrics.template import Minutia, MinutiaType, parse_template
from chipid.errors import InvalidArgumentError, ParseError
from tests.biometrics._samples import fvc_bytes

pytestmark = pytest.mark.skipif(match.BACKEND != "native", reason="chipid._native not built")


def _view(db: str, finger: int, impression: int) -> list[Minutia]:
    return list(parse_template(fvc_bytes(db, finger, impression)).views[0].minutiae)


def _moved(minutiae: list[Minutia], degrees: float, dx: int, dy: int, rng: random.Random) -> list[Minutia]:
    """Rotate about (150, 200) (y down, counter-clockwise angles), shift and jitter by a pixel."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    out = []
    for m in minutiae:
        x, y = m.x - 150, m.y - 200
        nx = round(150 + c * x + s * y + dx + rng.choice((-1, 0, 1)))
        ny = round(200 - s * x + c * y + dy + rng.choice((-1, 0, 1)))
        out.append(Minutia(m.kind, max(nx, 0), max(ny, 0), (m.angle + degrees) % 360.0, m.quality))
    return out


_points = st.lists(
    st.builds(
        Minutia,
        st.just(MinutiaType.RIDGE_ENDING),
        st.integers(0, 300),
        st.integers(0, 400),
        st.integers(0, 255).map(lambda u: u * 360 / 256),
        st.just(0),
    ),
    max_size=36,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_points, _points)
def test_native_matches_reference_on_random_templates(a: list[Minutia], b: list[Minutia]) -> None:
    """Differential: blobs byte-identical, scores equal to rounding (same algorithm, same order of ops)."""
    na, nb = match.prepare(a), match.prepare(b)
    assert na == ref.prepare(*match.quantize(a))
    assert nb == ref.prepare(*match.quantize(b))
    assert match.compare(na, nb) == pytest.approx(ref.compare(na, nb), abs=1e-9)


def test_native_matches_reference_on_real_templates() -> None:
    blobs = [match.prepare(_view("DB1_B", f, i)) for f in (101, 102) for i in (1, 2, 3)]
    ref_blobs = [ref.prepare(*match.quantize(_view("DB1_B", f, i))) for f in (101, 102) for i in (1, 2, 3)]
    assert blobs == ref_blobs
    for x in blobs[:3]:
        for y in blobs:
            assert match.compare(x, y) == pytest.approx(ref.compare(x, y), abs=1e-9)


def test_native_identical_scores_highest_and_symmetric() -> None:
    blobs = [match.prepare(_view("DB2_B", f, i)) for f in range(101, 106) for i in (1, 2)]
    for i, a in enumerate(blobs):
        self_score = match.compare(a, a)
        assert self_score == pytest.approx(1.0)
        for b in blobs:
            assert match.compare(a, b) <= self_score
            assert match.compare(a, b) == match.compare(b, a)
    assert match.compare(blobs[0], blobs[1]) > match.THRESHOLD_FMR_10K  # same finger


@pytest.mark.parametrize(("degrees", "dx", "dy"), [(0, 0, 0), (25, 10, -12), (-40, -15, 20), (55, 0, 0)])
def test_native_robust_to_rotation_and_translation(degrees: float, dx: int, dy: int) -> None:
    base = _view("DB1_B", 104, 1)
    moved = _moved(base, degrees, dx, dy, random.Random(7))
    score = match.compare(match.prepare(base), match.prepare(moved))
    assert score > 2 * match.THRESHOLD_FMR_10K


def test_native_search_agrees_with_compare_and_threads() -> None:
    gallery_views = [_view("DB3_B", f, i) for f in range(101, 111) for i in (2, 5)]
    gallery = match.Gallery(match.prepare(v) for v in gallery_views)
    probe = match.prepare(_view("DB3_B", 107, 1))
    expected = sorted(
        ((i, match.compare(probe, gallery.blob(i))) for i in range(len(gallery))), key=lambda p: (-p[1], p[0])
    )
    for threads in (1, 2, 3, 64):
        hits = match.search(probe, gallery, top_k=5, threads=threads)
        assert [(h.index, h.score) for h in hits] == expected[:5]
    assert hits[0].index in (12, 13)  # finger 107's impressions
    assert len(match.search(probe, gallery, top_k=100)) == len(gallery)
    assert match.search(probe, match.Gallery([]), top_k=3) == []


def test_native_rejects_broken_blobs() -> None:
    blob = match.prepare(_view("DB4_B", 101, 1))
    for bad in (blob[:-1], b"XXXX" + blob[4:], blob[:4] + b"\xff\xff" + blob[6:], b"", blob + b"\x00" * 64):
        with pytest.raises(ParseError) as err:
            match.compare(bad, blob)
        assert err.value.path == "probe"  # the native check fails; the error still names the argument
        with pytest.raises(ParseError) as err:
            match.compare(blob, bytearray(bad))
        assert err.value.path == "candidate"
        with pytest.raises(ParseError):
            match.Gallery([blob, bad])
    same = match.compare(blob, blob)
    assert match.compare(bytearray(blob), memoryview(blob), max_rotation=180) == same > 0.0
    with pytest.raises(ValueError):
        match.search(blob, match.Gallery([blob]), top_k=0)
    with pytest.raises(TypeError):
        match.compare("not bytes", blob)  # type: ignore[arg-type]


def test_native_empty_and_tiny_templates() -> None:
    empty = match.prepare([])
    one = match.prepare([Minutia(MinutiaType.BIFURCATION, 10, 10, 0.0)])
    assert match.compare(empty, empty) == 0.0
    assert match.compare(empty, one) == 0.0 == ref.compare(empty, one)
    with pytest.raises(ParseError):
        match.prepare([Minutia(MinutiaType.OTHER, 1, 1, 0.0)] * 256)


def test_native_face_agrees_with_reference() -> None:
    rng = random.Random(3)
    dim, n = 128, 300
    rows = array.array("f", (rng.gauss(0, 1) for _ in range(dim * n)))
    expected = [x for r in range(n) for x in ref.face_normalize(rows[r * dim : (r + 1) * dim])]
    match.face_normalize(rows, dim)
    assert list(rows) == expected
    q = rows[17 * dim : 18 * dim]
    for r in (0, 17, 299):
        assert match.face_cosine(q, rows[r * dim : (r + 1) * dim]) == pytest.approx(
            ref.face_cosine(q, rows[r * dim : (r + 1) * dim]), abs=1e-5
        )
    hits = match.face_search(q, rows, top_k=4, threads=2)
    oracle = ref.face_search(q, [rows[r * dim : (r + 1) * dim] for r in range(n)], 4)
    assert [h.index for h in hits] == [i for i, _ in oracle]
    assert hits[0].index == 17 and hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_native_face_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        match.face_normalize(array.array("f", [1.0, math.nan]), 2)
    with pytest.raises(ValueError):
        match.face_normalize(array.array("f", [1.0, 2.0, 3.0]), 2)
    with pytest.raises(TypeError):
        match.face_normalize(array.array("d", [1.0, 2.0]), 2)
    with pytest.raises(ValueError):
        match.face_search(array.array("f", [1.0, 0.0]), array.array("f", [1.0, 0.0, 0.0]), top_k=1)
    zero = array.array("f", [0.0, 0.0])
    match.face_normalize(zero, 2)
    assert list(zero) == [0.0, 0.0]


def test_native_every_isa_path_gives_the_same_bits() -> None:
    """Portable C, POPCNT, AVX2 and both AVX-512 paths agree exactly (those this CPU has)."""
    blobs = [match.prepare(_view("DB2_B", f, i)) for f in (101, 104, 108) for i in (1, 3)]
    assert match._compare_isa(blobs[0], blobs[1], 0) is not None  # the portable path always exists
    assert match._compare_isa(blobs[0], blobs[1], 9) is None
    assert match._compare_isa(blobs[0], blobs[1], 5) is None
    # the two AVX-512 variants need the same instructions: both or neither
    assert (match._compare_isa(blobs[0], blobs[1], 3) is None) == (match._compare_isa(blobs[0], blobs[1], 4) is None)
    for a in blobs:
        for b in blobs:
            expected = match.compare(a, b)
            for isa in range(5):
                got = match._compare_isa(a, b, isa)
                assert got is None or got == expected, (isa, got, expected)


@pytest.mark.parametrize(("db", "finger"), [("DB1_B", 104), ("DB2_B", 102), ("DB3_B", 105), ("DB4_B", 103)])
def test_native_partial_overlap_and_distortion(db: str, finger: int) -> None:
    """Half the print, a smooth +-7 px non-linear warp: still far above the threshold; another finger below."""
    base = _view(db, finger, 1)
    median_x = sorted(m.x for m in base)[len(base) // 2]
    half = [m for m in base if m.x <= median_x + 15]
    warped = [
        Minutia(m.kind, max(0, round(m.x + 7 * math.sin(m.y / 45))), max(0, round(m.y + 7 * math.sin(m.x / 45))),
                m.angle, m.quality)
        for m in base
    ]  # fmt: skip
    blob = match.prepare(base)
    assert match.compare(blob, match.prepare(half)) > 5 * match.THRESHOLD_FMR_10K
    assert match.compare(blob, match.prepare(warped)) > 3 * match.THRESHOLD_FMR_10K
    assert match.compare(blob, match.prepare(_view(db, finger + 1, 1))) < match.THRESHOLD_FMR_10K


_rated = st.lists(
    st.builds(
        Minutia,
        st.just(MinutiaType.BIFURCATION),
        st.integers(0, 300),
        st.integers(0, 400),
        st.integers(0, 255).map(lambda u: u * 360 / 256),
        st.integers(0, 100),
    ),
    max_size=30,
)
_params = st.tuples(
    st.sampled_from([0.0, 0.1, 0.25]),
    st.sampled_from([0.0, 8.0, 16.0]),
    st.sampled_from([0.0, 0.5, 1.0, 2.0]),
    st.sampled_from([20.0, 45.0]),
    st.sampled_from([6.0, 12.0]),
    st.sampled_from([0.0, 1.0, 2.0, 6.0]),
    st.sampled_from([0.0, 0.3, 1.0]),
    st.sampled_from([20.0, 26.0, 32.0, 40.0]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_rated, _rated, _params, st.sampled_from([0.0, 30.0, 60.0, 180.0]))
def test_native_matches_reference_bit_for_bit_with_quality_params_and_rotation_limit(
    a: list[Minutia], b: list[Minutia], params: tuple[float, ...], max_rotation: float
) -> None:
    """The score, its components and the blobs (which carry minutia quality) are identical to the oracle."""
    na, nb = match.prepare(a), match.prepare(b)
    assert na == ref.prepare(*match.quantize(a), [m.quality for m in a])
    native = match._compare_tuned(na, nb, params, max_rotation=max_rotation)
    units = min(32768, math.floor(max_rotation * 65536 / 360 + 0.5))
    assert native == ref.compare_detail(na, nb, units, params)


def test_native_real_templates_bit_for_bit_on_every_database() -> None:
    for db in ("DB1_B", "DB2_B", "DB3_B", "DB4_B"):
        blobs = [match.prepare(_view(db, f, i)) for f, i in ((103, 1), (103, 5), (108, 2))]
        for x in blobs:
            for y in blobs:
                assert match.compare(x, y) == ref.compare(x, y)


@pytest.mark.parametrize("degrees", [-180, -135, -90, 70, 120, 165, 180])
def test_native_any_rotation_matches(degrees: float) -> None:
    """Prints at any orientation match (the rotation is voted, not assumed near 0)."""
    base = _view("DB1_B", 104, 1)
    moved = _moved(base, degrees, 40, 40, random.Random(11))
    a, b = match.prepare(base), match.prepare(moved)
    assert match.compare(a, b) > 2 * match.THRESHOLD_FMR_10K
    assert match.compare(a, match.prepare(_view("DB1_B", 105, 1))) < match.THRESHOLD_FMR_10K


def test_native_upright_option_excludes_large_rotations() -> None:
    base = _view("DB2_B", 103, 1)
    a = match.prepare(base)
    upright = match.prepare(_moved(base, 20, 0, 0, random.Random(2)))
    turned = match.prepare(_moved(base, 120, 60, 60, random.Random(2)))
    assert match.compare(a, upright, max_rotation=60) > 2 * match.THRESHOLD_FMR_10K
    assert match.compare(a, turned) > 2 * match.THRESHOLD_FMR_10K
    assert match.compare(a, turned, max_rotation=60) < match.THRESHOLD_FMR_10K


def test_native_quality_weights_only_reported_minutiae() -> None:
    """Unreported quality (0) weighs 1; a low reported quality lowers that minutia's weight in the overlap."""
    base = _view("DB3_B", 102, 1)
    full = [Minutia(m.kind, m.x, m.y, m.angle, 100) for m in base]
    assert match.compare(match.prepare(base), match.prepare(_view("DB3_B", 102, 2))) == match.compare(
        match.prepare(full), match.prepare(_view("DB3_B", 102, 2))
    )
    with pytest.raises(ParseError):
        match.prepare([Minutia(m.kind, m.x, m.y, m.angle, 101) for m in base])


def test_native_rejects_bad_score_parameters() -> None:
    blob = match.prepare(_view("DB1_B", 101, 1))
    good = list(ref.DEFAULT_PARAMS)
    for k, bad in ((0, -1.0), (1, math.nan), (2, math.inf), (5, 13.0), (7, 65.0), (7, 1e9)):
        params = list(good)
        params[k] = bad
        with pytest.raises(InvalidArgumentError):
            match._compare_tuned(blob, blob, params)
    with pytest.raises(InvalidArgumentError):
        match._compare_tuned(blob, blob, good[:-1])
    assert match._compare_tuned(blob, blob, good)[0] == match.compare(blob, blob)


def _cluster_turned(quarter_turns: int, shift: int) -> list[Minutia]:
    """Four copies of one 7-minutia cluster turned by exact quarter turns about (150, 150): every local
    structure occurs at four rotations, so many cylinder pairs tie on similarity across rotation bins."""
    base = [(20, 5, 10.0), (35, 22, 80.0), (12, 40, 135.0), (48, 48, 200.0), (5, 60, 260.0), (60, 8, 300.0),
            (30, 70, 45.0)]  # fmt: skip
    out = []
    for copy in range(4):
        turns = (copy + quarter_turns) % 4
        for x, y, angle in base:
            dx, dy = x + 10, y + 10
            for _ in range(turns):  # (dx, dy) -> (dy, -dx): a quarter turn, counter-clockwise with y down
                dx, dy = dy, -dx
            out.append(Minutia(MinutiaType.RIDGE_ENDING, 150 + dx + shift, 150 + dy, (angle + 90.0 * turns) % 360.0))
    return out


def test_native_ties_across_rotation_bins_match_reference_on_every_isa_path() -> None:
    """Equal similarities in several rotation bins: the vote (lowest bin of the row maximum), the window
    pick (first partner) and the candidate order (similarity, then index) follow the reference exactly."""
    blobs = [match.prepare(_cluster_turned(q, s)) for q, s in ((0, 0), (1, 0), (2, 3), (3, 0))]
    for a in blobs:
        for b in blobs:
            for rotation in (180.0, 60.0, 0.0):
                units = min(32768, math.floor(rotation * 65536 / 360 + 0.5))
                expected = ref.compare(a, b, units)
                for isa in range(5):
                    got = match._compare_isa(a, b, isa, max_rotation=rotation)
                    assert got is None or got == expected, (isa, rotation, got, expected)


def test_native_largest_templates_match_reference_on_every_isa_path() -> None:
    """255 minutiae (the format's maximum): every buffer at its full size, native == reference."""
    rng = random.Random(255)

    def dense() -> list[Minutia]:
        return [
            Minutia(
                MinutiaType.BIFURCATION, rng.randrange(20, 480), rng.randrange(20, 560), rng.randrange(256) * 360 / 256
            )
            for _ in range(255)
        ]

    a, b = match.prepare(dense()), match.prepare(dense())
    assert a[6] == 255 and b[6] == 255
    expected = ref.compare(a, b)
    for isa in range(5):
        got = match._compare_isa(a, b, isa)
        assert got is None or got == expected, (isa, got, expected)
    assert match.compare(a, a) == ref.compare(a, a)


def test_native_search_over_several_blocks_is_independent_of_threads() -> None:
    """A gallery of several scheduling blocks (256 templates each): any thread count gives the top-k of
    the individual comparisons, ties by index."""
    views = [_view(db, f, i) for db in ("DB1_B", "DB2_B") for f in range(101, 111) for i in range(1, 9)]
    blobs = [match.prepare(v) for v in views]
    gallery = match.Gallery(blobs * 4 + blobs[:17])  # 657 templates, exact duplicates: equal scores tie
    probe = blobs[45]
    scores = [match.compare(probe, gallery.blob(i)) for i in range(len(gallery))]
    expected = sorted(enumerate(scores), key=lambda p: (-p[1], p[0]))[:12]
    for threads in (1, 2, 3, 8):
        hits = match.search(probe, gallery, top_k=12, threads=threads)
        assert [(h.index, h.score) for h in hits] == expected
    assert [h.index for h in hits[:4]] == [45, 205, 365, 525]  # the probe itself, four times


def test_native_largest_templates_run_on_a_small_thread_stack() -> None:
    """Scratch memory is bounded on the stack: 255-minutia templates compare and search on a 256 KiB thread
    stack (the similarity matrix of such a pair, 0.5 MiB, goes to the heap; a comparison needs about 110 KiB),
    with the same scores as on the main thread.  In a subprocess, so that a stack overflow fails this test
    instead of killing the run."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import random, threading
        from chipid.biometrics import match
        from chipid.biometrics.template import Minutia, MinutiaType
        rng = random.Random(255)
        def dense():
            return [Minutia(MinutiaType.BIFURCATION, rng.randrange(20, 480), rng.randrange(20, 560),
                            rng.randrange(256) * 360 / 256) for _ in range(255)]
        a, b = match.prepare(dense()), match.prepare(dense())
        gallery = match.Gallery([a, b, a])
        def run(out):
            out.append([match._compare_isa(a, b, isa) for isa in range(5)])
            out.append([(h.index, h.score) for h in match.search(a, gallery, 3, threads=2)])
        main = []
        run(main)
        threading.stack_size(256 * 1024)
        small = []
        t = threading.Thread(target=run, args=(small,))
        t.start()
        t.join()
        assert small == main, (small, main)
        print("ok", main[0][0])
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("ok 0.")
