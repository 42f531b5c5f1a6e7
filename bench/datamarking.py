"""Clean-article ROUGE of the bundled model with the datamarking on, off, or on the fence only.

The worker's path in this process (engine.pipeline with the GGUF), the first 25 CNN/DM articles
of the corpus, default options; `on` and `off` set the `datamark` setting (the default, `auto`, is
`off` for this model: prompts.MARKING_MIN_PARAMETERS), `fence` marks but patches prompts.marked to
keep the marker in the opening tag and the system turn only, not before each paragraph:

    nice -n 5 .venv/bin/python -m bench.datamarking on|off|fence

Prints the mean ROUGE-1/2/L and writes bench/results/datamarking-<mode>.json (paired by article).
"""

import json
import sys
from unittest import mock

from bench.direct import DirectContext
from bench.injection import RESULTS, articles, rouge
from summarizer.config import Settings
from summarizer.engine import pipeline, prompts
from summarizer.engine.llm import load_model
from summarizer.extract.text import extract as text_document
from summarizer.options import SummaryOptions

ARTICLES = 25


def patches(mode):
    """What `mode` changes in engine/prompts.py."""
    unfenced = lambda text, mark: prompts._FENCE.sub(" ", prompts.MARKER.sub("", text))  # noqa: E731
    return [mock.patch.object(prompts, "marked", unfenced)] if mode == "fence" else []


def main(mode):
    settings = Settings.from_mapping({"datamark": "off" if mode == "off" else "on"})
    model = load_model(settings.model)
    out = []
    for patch in patches(mode):
        patch.start()
    for doc_id, text, references in articles(ARTICLES):
        fields = pipeline.summarize(DirectContext(model, settings), text_document(text), SummaryOptions(),
                                    {"prompt_tokens": 0, "completion_tokens": 0})
        out.append({"article": doc_id, "summary": fields["summary"], "rouge": rouge(fields["summary"], references)})
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"datamarking-{mode}.json").write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(mode, {m: round(sum(o["rouge"][m] for o in out) / len(out), 2) for m in ("rouge1", "rouge2", "rougeL")})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "on")
