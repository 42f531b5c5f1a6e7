"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.434075, 'unseen': -1.074263, 'bigrams_in_window': -1.122986, 'trigrams_in_window': 1.056221, 'common_subsequence': 0.803194, 'order_kept': 0.068406, 'missing_numbers': -0.257036, 'missing_names': 0.032655, 'missing_relations': 0.081310, 'new_modality': -0.151894, 'log_length': 0.391196, 'sentences_used': -0.459831, 'pieces_per_word': -0.315662, 'in_long_pieces': -1.026315, 'longest_piece': 0.134613, 'far_joins': -0.634317, 'short_pieces': -0.366626}
MEANS = {'support': 0.804696, 'unseen': 0.143232, 'bigrams_in_window': 0.668909, 'trigrams_in_window': 0.606132, 'common_subsequence': 0.742881, 'order_kept': 0.845891, 'missing_numbers': 0.085125, 'missing_names': 0.061828, 'missing_relations': 0.037634, 'new_modality': 0.144265, 'log_length': 2.866460, 'sentences_used': 1.347670, 'pieces_per_word': 0.251990, 'in_long_pieces': 0.684381, 'longest_piece': 0.605300, 'far_joins': 0.432297, 'short_pieces': 0.399224}
SCALES = {'support': 0.279215, 'unseen': 0.230274, 'bigrams_in_window': 0.378689, 'trigrams_in_window': 0.407094, 'common_subsequence': 0.316139, 'order_kept': 0.238214, 'missing_numbers': 0.303671, 'missing_names': 0.248172, 'missing_relations': 0.203947, 'new_modality': 0.387730, 'log_length': 0.376031, 'sentences_used': 0.492874, 'pieces_per_word': 0.207200, 'in_long_pieces': 0.392980, 'longest_piece': 0.353415, 'far_joins': 0.416493, 'short_pieces': 0.402393}
BIAS = 0.407553
THRESHOLD = 0.608534
"""An item is consistent from this probability up (consistency.probability)."""
