"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.433553, 'unseen': -1.074492, 'bigrams_in_window': -1.116583, 'trigrams_in_window': 1.060061, 'common_subsequence': 0.799333, 'order_kept': 0.065284, 'missing_numbers': -0.255410, 'missing_names': 0.024872, 'missing_relations': 0.131887, 'new_modality': -0.162270, 'log_length': 0.395650, 'sentences_used': -0.478070, 'pieces_per_word': -0.336747, 'in_long_pieces': -1.005664, 'longest_piece': 0.113125, 'far_joins': -0.638585, 'short_pieces': -0.341831}
MEANS = {'support': 0.804853, 'unseen': 0.143076, 'bigrams_in_window': 0.668909, 'trigrams_in_window': 0.606132, 'common_subsequence': 0.742881, 'order_kept': 0.845443, 'missing_numbers': 0.085125, 'missing_names': 0.061828, 'missing_relations': 0.051971, 'new_modality': 0.144265, 'log_length': 2.866460, 'sentences_used': 1.348566, 'pieces_per_word': 0.251990, 'in_long_pieces': 0.684381, 'longest_piece': 0.605300, 'far_joins': 0.432297, 'short_pieces': 0.399224}
SCALES = {'support': 0.279043, 'unseen': 0.230030, 'bigrams_in_window': 0.378689, 'trigrams_in_window': 0.407094, 'common_subsequence': 0.316139, 'order_kept': 0.238394, 'missing_numbers': 0.300706, 'missing_names': 0.248172, 'missing_relations': 0.233766, 'new_modality': 0.387730, 'log_length': 0.376031, 'sentences_used': 0.493150, 'pieces_per_word': 0.207200, 'in_long_pieces': 0.392980, 'longest_piece': 0.353415, 'far_joins': 0.416493, 'short_pieces': 0.402393}
BIAS = 0.414424
THRESHOLD = 0.607155
"""An item is consistent from this probability up (consistency.probability)."""
