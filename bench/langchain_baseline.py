"""The usual alternative: LangChain's map_reduce summarize chain over the same GGUF, in this process.

`load_summarize_chain(llm, chain_type="map_reduce", token_max=...)` from langchain-classic with
`LlamaCpp` from langchain-community, its own prompts ("Write a concise summary of the following"),
its own splitter (RecursiveCharacterTextSplitter measuring length in the model's tokens) at the
service's map chunk size and overlap. Engine settings are the service's, so only the pipeline
differs: n_ctx, n_threads, n_batch (LangChain's default of 8 would slow its prompt reading ~10x),
temperature, seed, and the model's own RoPE base (LangChain passes rope_freq_base=10000 unless told,
which overrides the GGUF's 100000 for SmolLM2 and garbles its output). A callback counts the prompt
and completion tokens of every model call.
"""

import time

from summarizer.engine import budget
from summarizer.longdocs import planning
from summarizer import shapes

COMBINE_ANSWER_TOKENS = shapes.NOTES_ANSWER_TOKENS
"""LangChain uses one LLM for map and combine: one max_tokens, the service's map budget."""


def unavailable():
    """Why LangChain cannot run here, or None when it can."""
    try:
        import langchain_classic.chains.summarize  # noqa: F401
        import langchain_community.llms  # noqa: F401
        import langchain_text_splitters  # noqa: F401
    except ImportError as error:
        return (f"LangChain is not installed ({error}); install the `bench` extra: "
                "pip install -e '.[bench]'")
    return None


class LangChainSummarizer:
    """A LlamaCpp LLM and a map_reduce summarize chain sized like the service."""

    def __init__(self, settings, model):
        from langchain_classic.chains.summarize import load_summarize_chain
        from langchain_community.llms import LlamaCpp
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.llm = LlamaCpp(
            model_path=settings.resolved_model_path, n_ctx=settings.n_ctx, n_threads=settings.n_threads,
            n_batch=settings.n_batch, seed=settings.seed, temperature=settings.temperature,
            max_tokens=COMBINE_ANSWER_TOKENS, rope_freq_base=0.0, verbose=False)
        chunk_tokens = planning.map_chunk_budget(model, settings)
        self.splitter = RecursiveCharacterTextSplitter(
            chunk_size=chunk_tokens, chunk_overlap=planning.OVERLAP_TOKENS,
            length_function=self.llm.get_num_tokens)
        # Collapse when the summaries exceed what fits one call beside the prompt and answer.
        self.token_max = settings.n_ctx - COMBINE_ANSWER_TOKENS - budget.SAFETY_TOKENS - 64
        self.chain = load_summarize_chain(self.llm, chain_type="map_reduce", token_max=self.token_max)

    def summarize(self, text):
        """{"summary", "seconds", "usage", "calls", "chunks"} for `text`."""
        from langchain_core.documents import Document

        counter = token_counter(self.llm)
        began = time.perf_counter()
        documents = [Document(page_content=piece) for piece in self.splitter.split_text(text)]
        output = self.chain.invoke({"input_documents": documents}, config={"callbacks": [counter]})
        return {
            "summary": output["output_text"].strip(), "seconds": time.perf_counter() - began,
            "usage": {"prompt_tokens": counter.prompt_tokens, "completion_tokens": counter.completion_tokens},
            "calls": counter.calls, "chunks": len(documents),
        }


def token_counter(llm):
    """A LangChain callback handler that counts the tokens of every prompt and completion."""
    from langchain_core.callbacks import BaseCallbackHandler

    class TokenCounter(BaseCallbackHandler):
        def __init__(self):
            self.prompt_tokens = self.completion_tokens = self.calls = 0

        def on_llm_start(self, serialized, prompts, **kwargs):
            for prompt in prompts:
                self.calls += 1
                self.prompt_tokens += len(llm.client.tokenize(prompt.encode("utf-8")))  # with BOS

        def on_llm_end(self, response, **kwargs):
            for generations in response.generations:
                for generation in generations:
                    self.completion_tokens += len(llm.client.tokenize(generation.text.encode("utf-8"),
                                                                        add_bos=False))

    return TokenCounter()
