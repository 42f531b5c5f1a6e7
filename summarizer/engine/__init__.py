"""The engine: the model and everything held around it (prompts, grammars, the guard, grounding,
extractive summaries, recovery). It takes a *run* from its caller and never touches Redis."""
