"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.190707, 'unseen': -1.122321, 'bigrams_in_window': -0.944199, 'trigrams_in_window': 1.194300, 'common_subsequence': 0.974333, 'order_kept': 0.034805, 'missing_numbers': -0.218056, 'missing_names': -0.225068, 'missing_relations': 0.128863, 'new_modality': -0.201382, 'log_length': 0.393674, 'sentences_used': -0.534965, 'pieces_per_word': -0.167759, 'in_long_pieces': -1.069914, 'longest_piece': -0.040812, 'far_joins': -0.580226, 'short_pieces': -0.329227}
MEANS = {'support': 0.802200, 'unseen': 0.143068, 'bigrams_in_window': 0.668908, 'trigrams_in_window': 0.607921, 'common_subsequence': 0.741859, 'order_kept': 0.848108, 'missing_numbers': 0.092294, 'missing_names': 0.184588, 'missing_relations': 0.037634, 'new_modality': 0.146057, 'log_length': 2.870355, 'sentences_used': 1.350358, 'pieces_per_word': 0.250830, 'in_long_pieces': 0.685329, 'longest_piece': 0.604858, 'far_joins': 0.432117, 'short_pieces': 0.397999}
SCALES = {'support': 0.277939, 'unseen': 0.229396, 'bigrams_in_window': 0.377740, 'trigrams_in_window': 0.406368, 'common_subsequence': 0.314928, 'order_kept': 0.235721, 'missing_numbers': 0.329947, 'missing_names': 0.455920, 'missing_relations': 0.203947, 'new_modality': 0.393942, 'log_length': 0.369888, 'sentences_used': 0.491878, 'pieces_per_word': 0.205745, 'in_long_pieces': 0.392266, 'longest_piece': 0.353140, 'far_joins': 0.416374, 'short_pieces': 0.402251}
BIAS = 0.427706
THRESHOLD = 0.623215
"""An item is consistent from this probability up (consistency.probability)."""
