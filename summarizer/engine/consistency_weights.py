"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.736661, 'unseen': -1.009984, 'bigrams_in_window': -1.059115, 'trigrams_in_window': 1.144559, 'common_subsequence': 0.507609, 'order_kept': 0.160884, 'missing_numbers': -0.250006, 'missing_names': 0.035756, 'missing_relations': 0.143811, 'new_modality': -0.231087, 'log_length': 0.402932, 'sentences_used': -0.493006, 'pieces_per_word': -0.251517, 'in_long_pieces': -1.061790, 'longest_piece': 0.088034, 'far_joins': -0.646407, 'short_pieces': -0.324242}
MEANS = {'support': 0.805964, 'unseen': 0.143086, 'bigrams_in_window': 0.668648, 'trigrams_in_window': 0.606287, 'common_subsequence': 0.744008, 'order_kept': 0.840506, 'missing_numbers': 0.085125, 'missing_names': 0.061828, 'missing_relations': 0.051971, 'new_modality': 0.139785, 'log_length': 2.867853, 'sentences_used': 1.348566, 'pieces_per_word': 0.251298, 'in_long_pieces': 0.685593, 'longest_piece': 0.605982, 'far_joins': 0.433114, 'short_pieces': 0.397932}
SCALES = {'support': 0.276386, 'unseen': 0.229608, 'bigrams_in_window': 0.378495, 'trigrams_in_window': 0.407045, 'common_subsequence': 0.314413, 'order_kept': 0.241266, 'missing_numbers': 0.300706, 'missing_names': 0.248172, 'missing_relations': 0.233766, 'new_modality': 0.381228, 'log_length': 0.375323, 'sentences_used': 0.493150, 'pieces_per_word': 0.206921, 'in_long_pieces': 0.392737, 'longest_piece': 0.353420, 'far_joins': 0.417183, 'short_pieces': 0.402046}
BIAS = 0.403509
THRESHOLD = 0.615080
"""An item is consistent from this probability up (consistency.probability)."""
