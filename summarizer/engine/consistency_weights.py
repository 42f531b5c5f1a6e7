"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.250917, 'unseen': -1.079568, 'bigrams_in_window': -1.088491, 'trigrams_in_window': 1.195090, 'common_subsequence': 1.077504, 'order_kept': 0.005720, 'missing_numbers': -0.217740, 'missing_names': -0.210067, 'missing_relations': 0.125245, 'new_modality': -0.175817, 'log_length': 0.399277, 'sentences_used': -0.518304, 'pieces_per_word': -0.247819, 'in_long_pieces': -1.055138, 'longest_piece': -0.055920, 'far_joins': -0.573981, 'short_pieces': -0.320195}
MEANS = {'support': 0.801888, 'unseen': 0.143078, 'bigrams_in_window': 0.669621, 'trigrams_in_window': 0.608450, 'common_subsequence': 0.741673, 'order_kept': 0.848701, 'missing_numbers': 0.092294, 'missing_names': 0.182796, 'missing_relations': 0.037634, 'new_modality': 0.144265, 'log_length': 2.868611, 'sentences_used': 1.348566, 'pieces_per_word': 0.251519, 'in_long_pieces': 0.684571, 'longest_piece': 0.605341, 'far_joins': 0.431058, 'short_pieces': 0.398597}
SCALES = {'support': 0.278660, 'unseen': 0.229402, 'bigrams_in_window': 0.377538, 'trigrams_in_window': 0.406509, 'common_subsequence': 0.315292, 'order_kept': 0.235267, 'missing_numbers': 0.329947, 'missing_names': 0.454675, 'missing_relations': 0.203947, 'new_modality': 0.392325, 'log_length': 0.375518, 'sentences_used': 0.493150, 'pieces_per_word': 0.206961, 'in_long_pieces': 0.392772, 'longest_piece': 0.353311, 'far_joins': 0.416111, 'short_pieces': 0.402650}
BIAS = 0.421829
THRESHOLD = 0.631040
"""An item is consistent from this probability up (consistency.probability)."""
