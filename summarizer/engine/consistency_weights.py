"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.551090, 'unseen': -1.103045, 'bigrams_in_window': -1.038453, 'trigrams_in_window': 1.032514, 'common_subsequence': 0.630036, 'order_kept': 0.094974, 'missing_numbers': -0.262774, 'missing_names': 0.004878, 'missing_relations': 0.146242, 'new_modality': -0.239106, 'log_length': 0.394320, 'sentences_used': -0.522706, 'pieces_per_word': -0.320370, 'in_long_pieces': -1.021781, 'longest_piece': 0.042592, 'far_joins': -0.669119, 'short_pieces': -0.334596}
MEANS = {'support': 0.806377, 'unseen': 0.143232, 'bigrams_in_window': 0.669963, 'trigrams_in_window': 0.607324, 'common_subsequence': 0.744807, 'order_kept': 0.842150, 'missing_numbers': 0.085125, 'missing_names': 0.062724, 'missing_relations': 0.051075, 'new_modality': 0.139785, 'log_length': 2.868015, 'sentences_used': 1.350358, 'pieces_per_word': 0.251449, 'in_long_pieces': 0.685166, 'longest_piece': 0.606098, 'far_joins': 0.433210, 'short_pieces': 0.398626}
SCALES = {'support': 0.276346, 'unseen': 0.229599, 'bigrams_in_window': 0.377953, 'trigrams_in_window': 0.406640, 'common_subsequence': 0.314226, 'order_kept': 0.241116, 'missing_numbers': 0.300706, 'missing_names': 0.249748, 'missing_relations': 0.232041, 'new_modality': 0.381228, 'log_length': 0.375304, 'sentences_used': 0.493697, 'pieces_per_word': 0.207100, 'in_long_pieces': 0.392750, 'longest_piece': 0.353510, 'far_joins': 0.417269, 'short_pieces': 0.402088}
BIAS = 0.410876
THRESHOLD = 0.576146
"""An item is consistent from this probability up (consistency.probability)."""
