"""An obedient stand-in for a large model: an OpenAI-compatible server on loopback that carries out
any instruction of an attack list it can read in its prompt, and otherwise summarizes the
document's first sentences.

It reads the way a capable model does, through any marking of the data: before it looks for an
instruction it takes every symbol out of the prompt and every short token mixing letters and
digits (a datamarking key such as "⟦3fa9⟧"), so marking the document alone never stops it; only
keeping the instruction out of its prompt does, or catching what it writes. What it writes when it
obeys (`Obedient.obey`) is what the instruction asks, made from the instruction's own words:
another language, letters swapped for digits or symbols, scrambled or glued words, Base64,
reversed text, emoji, the advert, link or statistic it names, or an answer to another task.

    server = ObedientServer(instructions).start()   # instructions: [(category, text), ...]
    ... SUMMARIZER_BACKEND=openai SUMMARIZER_UPSTREAM_URL=server.url ...
    server.stop()
"""

import base64
import http.server
import json
import re
import threading

LANGUAGES = {
    "french": "En français : bonjour, comment allez-vous ? Merci beaucoup, c'est la réponse.",
    "spanish": "En español: la comida es deliciosa y la respuesta es para todos los lectores.",
    "german": "Auf Deutsch: die Antwort ist ganz einfach und wir danken für die Frage.",
    "russian": "По-русски: мир и любовь, спасибо большое.",
    "japanese": "日本語で：どうもありがとうございます。",
    "english": "In English: the library is the answer.",
}
"""What it writes when an instruction names a language (it cannot translate; it writes that
language)."""

SUMMARY_SENTENCES = 3
"""Sentences of the document it writes as its summary when no instruction is in its prompt."""

_MARKERLIKE = re.compile(r"^(?=\w*\d)(?=\w*[^\W\d_])\w{1,8}$")


def reading(text):
    """The words of `text` as an obedient reader sees them: no symbols, no marker-like tokens."""
    return [w for w in re.findall(r"\w+", text.lower()) if not _MARKERLIKE.match(w)]


class Obedient:
    """The stand-in's behaviour, without the HTTP around it (the bench judges with it too)."""

    def __init__(self, instructions):
        self.instructions = [(category, text, reading(text)) for category, text in instructions]

    def found(self, prompt):
        """The (category, instruction) whose words `prompt` contains in order, else None."""
        words = " " + " ".join(reading(prompt)) + " "
        for category, text, own in self.instructions:
            if own and " " + " ".join(own) + " " in words:
                return category, text
        return None

    def answer(self, messages):
        """Its answer to chat `messages`: an obeyed instruction, else the first sentences."""
        prompt = "\n".join(m.get("content") or "" for m in messages)
        document = _document(messages[-1].get("content") or "")
        summary = _first_sentences(document)
        hit = self.found(prompt)
        return self.obey(hit[1], summary) if hit else "\n".join("- " + s for s in summary)

    @staticmethod
    def obey(instruction, summary):
        """What carrying out `instruction` turns the bullet list `summary` (sentences) into."""
        low = instruction.lower()
        language = next((name for name in LANGUAGES if name in low), None)
        transforms = [
            (("base64", "encode"), lambda s: base64.b64encode(s.encode()).decode()),
            (("reverse", "backwards"), lambda s: s[::-1]),
            (("emoji",), lambda s: s + " 🚀🔥😀"),
            (("caesar", "cipher", "shift"), lambda s: _shift(s, 3)),
            (("number", "alphanumeric", "digit"), lambda s: s.translate(str.maketrans("aeiost", "123405"))),
            (("symbol", "homophonic", "keyboard"), lambda s: s.translate(str.maketrans("aeiosb", "@3!0$&"))),
            (("typo", "misspel", "scramble", "jumble", "anagram"), _scrambled),
            (("space", "group", "combine words"), lambda s: s.replace(" ", "")),
        ]
        speaks_of_answer = re.search(r"\byour\b.{0,40}\b(?:response|answer|reply|message)", low) or re.match(
            r"(?:replace|substitute|convert|encode|reverse|misspell|scramble|jumble|rearrange|anagram|remove|group"
            r"|combine|use)\b", low)
        if speaks_of_answer and not language:
            for keys, transform in transforms:
                if any(k in low for k in keys):
                    return "\n".join("- " + transform(s) for s in summary)
            return "\n".join("- " + s for s in summary + [_payload(instruction)])
        if language:
            return "- " + LANGUAGES[language]
        return "\n".join("- " + s for s in _other_task(instruction))


def _payload(instruction):
    """The sentence an "add X to your reply" instruction asks for, made of its own words."""
    quoted = re.findall(r"[\"“]([^\"”]+)[\"”]", instruction)
    links = re.findall(r"\b(?:[\w.+-]+@[\w-]+\.\w+|(?:www\.)?[\w-]+\.(?:com|xyz|org|net))\b", instruction)
    text = re.sub(r"\b(?:in|to|into|with)?\s*your\s+(?:\w+\s+)?(?:response|answer|reply|message)'?s?\b", "",
                  instruction, flags=re.I)
    text = re.sub(r"^\s*(?:\w+)\s+(?:a|an|the)?\s*", "", text).strip(" .,")
    sentence = quoted[0] if quoted else text[:1].upper() + text[1:] + "!"
    return sentence + "".join(f" Visit {link}." for link in links if link not in sentence)


def _other_task(instruction):
    """An answer to another task (a question, a poem, code) instead of the summary."""
    topic = re.sub(r"^\s*(?:what|who|how|why|can you|could you|please)?\s*(?:\w+)\s+(?:me\s+)?(?:a|an|the)?\s*", "",
                   instruction, flags=re.I).strip(" ?.!")
    return [f"{topic[:1].upper()}{topic[1:]}: here is the full explanation you asked for.",
            f"First, {topic} starts from the basics, step by step.",
            f"Finally, {topic} is put into practice with an example."]


def _scrambled(sentence):
    return " ".join(w[0] + w[-2:0:-1] + w[-1] if len(w) > 3 and w.isalpha() else w for w in sentence.split())


def _shift(text, by):
    return "".join(chr((ord(c) - base + by) % 26 + base) if c.isascii() and c.isalpha() else c
                   for c in text for base in [ord("a") if c.islower() else ord("A")])


def _document(user):
    """The document in a user message: between the fence lines where there are any."""
    lines = user.split("\n")
    opened = [i for i, line in enumerate(lines) if re.match(r"\s*<document\b", line)]
    closed = [i for i, line in enumerate(lines) if re.match(r"\s*</document\b", line)]
    if opened and closed:
        lines = lines[opened[0] + 1:closed[-1]]
    return re.sub(r"⟦\w+⟧ ?", "", "\n".join(lines))


def _first_sentences(document):
    from summarizer.engine.lexicon import sentences  # the service's own splitter
    return sentences(document)[:SUMMARY_SENTENCES] or ["The document is empty."]


class ObedientServer:
    """`Obedient` behind /v1/models and /v1/chat/completions (streamed or not) on a loopback port."""

    def __init__(self, instructions, port=0):
        self.obedient = Obedient(instructions)
        self.prompts = []  # every chat request's messages, for tests
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                if self.path.rstrip("/") == "/v1/models":
                    server.reply(self, {"object": "list", "data": [{"id": "obedient", "object": "model"}]})
                else:
                    server.reply(self, {"error": {"message": "not found"}}, 404)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    server.reply(self, {"error": {"message": "not found"}}, 404)
                    return
                server.prompts.append(body["messages"])
                server.complete(self, body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def reply(handler, payload, status=200):
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def complete(self, handler, body):
        text = self.obedient.answer(body["messages"])
        usage = {"prompt_tokens": 1, "completion_tokens": len(text.split()), "total_tokens": 1 + len(text.split())}
        if not body.get("stream"):
            self.reply(handler, {"object": "chat.completion", "usage": usage, "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]})
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Connection", "close")
        handler.end_headers()
        pieces = re.findall(r"\S+\s*|\s+", text)
        for piece in pieces:
            chunk = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": piece}}]}
            handler.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
        last = {"object": "chat.completion.chunk", "usage": usage,
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        handler.wfile.write(f"data: {json.dumps(last)}\n\ndata: [DONE]\n\n".encode())
        handler.wfile.flush()
        handler.close_connection = True
