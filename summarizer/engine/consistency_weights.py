"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.242230, 'unseen': -1.108592, 'bigrams_in_window': -1.009151, 'trigrams_in_window': 1.134836, 'common_subsequence': 0.957439, 'order_kept': 0.028173, 'missing_numbers': -0.213654, 'missing_names': -0.199236, 'missing_relations': 0.103967, 'new_modality': -0.147119, 'log_length': 0.390655, 'sentences_used': -0.524525, 'pieces_per_word': -0.241987, 'in_long_pieces': -1.013171, 'longest_piece': -0.017934, 'far_joins': -0.609161, 'short_pieces': -0.305211}
MEANS = {'support': 0.802591, 'unseen': 0.143111, 'bigrams_in_window': 0.669448, 'trigrams_in_window': 0.608485, 'common_subsequence': 0.742298, 'order_kept': 0.845923, 'missing_numbers': 0.091398, 'missing_names': 0.182796, 'missing_relations': 0.038530, 'new_modality': 0.143369, 'log_length': 2.869700, 'sentences_used': 1.352151, 'pieces_per_word': 0.251115, 'in_long_pieces': 0.685195, 'longest_piece': 0.604934, 'far_joins': 0.433150, 'short_pieces': 0.398089}
SCALES = {'support': 0.277920, 'unseen': 0.229446, 'bigrams_in_window': 0.377710, 'trigrams_in_window': 0.406188, 'common_subsequence': 0.315090, 'order_kept': 0.238919, 'missing_numbers': 0.328837, 'missing_names': 0.454675, 'missing_relations': 0.205967, 'new_modality': 0.386906, 'log_length': 0.369781, 'sentences_used': 0.492420, 'pieces_per_word': 0.206087, 'in_long_pieces': 0.392475, 'longest_piece': 0.353227, 'far_joins': 0.416523, 'short_pieces': 0.402374}
BIAS = 0.436082
THRESHOLD = 0.619017
"""An item is consistent from this probability up (consistency.probability)."""
