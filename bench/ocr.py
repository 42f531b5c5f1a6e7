"""OCR engines compared on the same pages: `python -m bench.ocr [--pages 8] [--engines tesseract,rapidocr]`.

Ground truth without hand labels: corpus PDFs that have a text layer are rendered to images
(pypdfium2) and the OCR of each image is compared with the page's text layer (`pdftotext`, pypdf
where poppler is missing). Variants of each page: 300 dpi, 150 dpi, and scans made from the 300 dpi
render: skewed 2 degrees, Gaussian noise, JPEG quality 25, and all three at 200 dpi ("scan").
Pages whose text layer is not mostly Latin script are left out (no engine here reads Arabic).

Reported per engine and variant: word F1 of the word bags (lower-cased \\w+ tokens) and character
error rate (edit distance over the ground truth's length, whitespace collapsed), as median and
worst decile; seconds per page with every core busy (wall clock: depends on the load, which the
report prints) and CPU seconds per page (the load does not change it); peak memory of the OCR
process (MiB); and the install size. Each engine runs in its own process so that its peak memory is its own.
The image-only corpus PDFs (no text layer) have no ground truth: the table gives the words read.
"""

import argparse
import io
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"

#: Pages with less text layer than this are not used as ground truth (title pages, figures).
MIN_TRUTH_CHARS = 300

#: Share of letters that must be Latin script for a page to be scored (see module docstring).
MIN_LATIN_SHARE = 0.9

VARIANTS = ("300dpi", "150dpi", "skew", "noise", "jpeg", "scan")


def words(text):
    return Counter(re.findall(r"\w+", text.lower()))


def word_f1(truth, found):
    """F1 of the two word bags (1.0 when both are empty)."""
    a, b = words(truth), words(found)
    common = sum((a & b).values())
    if not a and not b:
        return 1.0
    if not common:
        return 0.0
    precision, recall = common / sum(b.values()), common / sum(a.values())
    return 2 * precision * recall / (precision + recall)


def edit_distance(a, b):
    """Levenshtein distance, bit-parallel (Hyyro 2001) on Python integers: fast for pages."""
    if not a or not b:
        return len(a) + len(b)
    masks = {}
    for i, char in enumerate(a):
        masks[char] = masks.get(char, 0) | (1 << i)
    full, top = (1 << len(a)) - 1, 1 << (len(a) - 1)
    pv, mv, score = full, 0, len(a)
    for char in b:
        eq = masks.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & full
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = (mh | ~(xv | ph)) & full
        mv = ph & xv
    return score


def cer(truth, found):
    truth, found = " ".join(truth.split()), " ".join(found.split())
    return edit_distance(truth, found) / max(1, len(truth))


def truth_text(path, number):
    """The page's text layer: pdftotext (poppler), else pypdf."""
    if shutil.which("pdftotext"):
        done = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), "-enc", "UTF-8",
                               str(path), "-"], capture_output=True, check=False)
        return done.stdout.decode("utf-8", "replace")
    import pypdf

    return pypdf.PdfReader(path).pages[number - 1].extract_text() or ""


def latin(text):
    letters = [c for c in text if c.isalpha()]
    return letters and sum(c < "\u0250" for c in letters) / len(letters) >= MIN_LATIN_SHARE


def sample_pages(count, seed=7):
    """Up to two scorable pages per corpus PDF, `count` in all, the same ones every run."""
    import pypdfium2

    chosen = []
    for path in sorted(CORPUS.glob("*.pdf")):
        try:
            pdf = pypdfium2.PdfDocument(str(path))
        except pypdfium2.PdfiumError:
            continue  # encrypted without the empty password
        pages = [n for n in range(1, len(pdf) + 1)
                 if len(text := truth_text(path, n).strip()) >= MIN_TRUTH_CHARS and latin(text)]
        chosen += [(path, n) for n in pages[:2]]
    random.Random(seed).shuffle(chosen)
    return chosen[:count]


def render(path, number, dpi):
    import pypdfium2

    page = pypdfium2.PdfDocument(str(path))[number - 1]
    return page.render(scale=dpi / 72, grayscale=True).to_pil()


def degrade(image, variant, seed):
    """A scanner's faults on a 300 dpi render."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    if variant in ("skew", "scan"):
        image = image.rotate(2.0, resample=Image.BICUBIC, expand=True, fillcolor=255)
    if variant in ("noise", "scan"):
        import numpy

        pixels = numpy.asarray(image, dtype=numpy.float32)
        pixels += numpy.random.default_rng(seed).normal(0, 25, pixels.shape)
        image = Image.fromarray(pixels.clip(0, 255).astype(numpy.uint8)).filter(ImageFilter.BoxBlur(0.6))
    if variant == "scan":
        image = image.resize((image.width * 2 // 3, image.height * 2 // 3), Image.LANCZOS)
    if variant in ("jpeg", "scan"):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=25 if variant == "jpeg" else 40 + rng.randint(0, 10))
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    return image


def prepare(directory, count):
    """Write every page variant as PNG plus truth.json; also the image-only corpus pages."""
    items = []
    for index, (path, number) in enumerate(sample_pages(count)):
        truth = truth_text(path, number)
        base = render(path, number, 300)
        for variant in VARIANTS:
            image = render(path, number, 150) if variant == "150dpi" else (
                base if variant == "300dpi" else degrade(base, variant, index))
            name = f"p{index:02d}-{variant}.png"
            image.save(directory / name)
            items.append({"image": name, "variant": variant, "truth": truth,
                          "source": f"{path.name} p{number}"})
    for path in sorted(CORPUS.glob("*.pdf")):
        if path.name in ("sf__019-grayscale-image__grayscale-image.pdf",
                         "sf__023-cmyk-image__cmyk-image.pdf"):
            name = f"image-only-{path.stem[:20]}.png"
            render(path, 1, 300).save(directory / name)
            items.append({"image": name, "variant": "image-only", "truth": None, "source": path.name})
    (directory / "truth.json").write_text(json.dumps(items))


def run_engine(engine, directory):
    """In this process: OCR every image of `directory` with `engine`; print the results as JSON."""
    items = json.loads((directory / "truth.json").read_text())
    images = [(directory / item["image"]).read_bytes() for item in items]
    started = time.perf_counter()
    if engine == "tesseract":
        from summarizer.extract import ocr

        pages = ocr.recognize_all(images, languages="eng", workers=os.cpu_count(), timeout=300)
        texts = [ocr.page_text(lines) for lines in pages]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    else:
        from rapidocr_onnxruntime import RapidOCR

        reader = RapidOCR()
        texts = []
        for image in images:
            result, _ = reader(image)
            texts.append("\n".join(row[1] for row in result or []))
        usage = resource.getrusage(resource.RUSAGE_SELF)
    seconds = time.perf_counter() - started
    print(json.dumps({"texts": texts, "seconds": seconds, "peak_mib": usage.ru_maxrss / 1024,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime}))


def install_size(engine):
    """MiB on disk: the Debian packages' installed size, or the wheel's site-packages dirs."""
    if engine == "tesseract":
        packages = ["tesseract-ocr", "tesseract-ocr-eng", "tesseract-ocr-deu", "tesseract-ocr-fra",
                    "tesseract-ocr-spa", "libtesseract5", "liblept5"]
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Installed-Size}\n", *packages],
                             capture_output=True, text=True, check=False).stdout
        return sum(int(x) for x in out.split() if x.isdigit()) / 1024
    import rapidocr_onnxruntime

    site = Path(rapidocr_onnxruntime.__file__).parents[1]
    names = ["rapidocr_onnxruntime", "onnxruntime", "cv2", "opencv_python.libs", "numpy",
             "numpy.libs", "shapely", "shapely.libs", "pyclipper"]
    total = sum(f.stat().st_size for n in names if (site / n).exists()
                for f in (site / n).rglob("*") if f.is_file())
    return total / 2**20


def report(engine, directory, result):
    items = json.loads((directory / "truth.json").read_text())
    rows = []
    for variant in VARIANTS:
        pairs = [(i["truth"], t) for i, t in zip(items, result["texts"]) if i["variant"] == variant]
        f1 = sorted(word_f1(a, b) for a, b in pairs)
        rates = sorted(cer(a, b) for a, b in pairs)
        decile = max(1, len(pairs) // 10)
        rows.append(f"| {engine} | {variant} | {len(pairs)} | {statistics.median(f1):.3f} | "
                    f"{statistics.mean(f1[:decile]):.3f} | {statistics.median(rates):.3f} | "
                    f"{statistics.mean(rates[-decile:]):.3f} |")
    image_only = [f"{i['source'][:28]}: {sum(words(t).values())} words"
                  for i, t in zip(items, result["texts"]) if i["variant"] == "image-only"]
    pages = len(items)
    return rows, (f"| {engine} | {result['seconds'] / pages:.2f} | {result['cpu_seconds'] / pages:.2f} | "
                  f"{result['peak_mib']:.0f} | "
                  f"{install_size(engine):.0f} | {'; '.join(image_only)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8, help="corpus pages (each in 6 variants)")
    parser.add_argument("--engines", default="tesseract,rapidocr")
    parser.add_argument("--run-engine", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_engine:
        return run_engine(args.run_engine, Path(args.dir))
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        prepare(directory, args.pages)
        quality, costs = [], []
        for engine in args.engines.split(","):
            done = subprocess.run([sys.executable, "-m", "bench.ocr", "--run-engine", engine,
                                   "--dir", name], capture_output=True, text=True, check=False)
            if done.returncode:
                print(f"{engine}: failed: {done.stderr[-500:]}", file=sys.stderr)
                continue
            rows, cost = report(engine, directory, json.loads(done.stdout.splitlines()[-1]))
            quality += rows
            costs.append(cost)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min) on {os.cpu_count()} cores\n")
    print("| engine | pages | n | word F1 median | word F1 worst decile | CER median | CER worst decile |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(quality))
    print("\n| engine | s/page (all cores) | CPU s/page | peak MiB | install MiB | image-only corpus PDFs |")
    print("|---|---|---|---|---|---|")
    print("\n".join(costs))


if __name__ == "__main__":
    main()
