"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.211039, 'unseen': -1.135480, 'bigrams_in_window': -0.937961, 'trigrams_in_window': 1.109838, 'common_subsequence': 0.828869, 'order_kept': 0.095748, 'missing_numbers': -0.191521, 'missing_names': -0.187104, 'missing_relations': 0.075310, 'new_modality': -0.131943, 'log_length': 0.378778, 'sentences_used': -0.472882, 'pieces_per_word': -0.225013, 'in_long_pieces': -0.976058, 'longest_piece': -0.011984, 'far_joins': -0.653899, 'short_pieces': -0.332043}
MEANS = {'support': 0.804682, 'unseen': 0.142963, 'bigrams_in_window': 0.671291, 'trigrams_in_window': 0.609344, 'common_subsequence': 0.745144, 'order_kept': 0.843723, 'missing_numbers': 0.089606, 'missing_names': 0.177419, 'missing_relations': 0.037634, 'new_modality': 0.142473, 'log_length': 2.869082, 'sentences_used': 1.349462, 'pieces_per_word': 0.251279, 'in_long_pieces': 0.685085, 'longest_piece': 0.605126, 'far_joins': 0.434016, 'short_pieces': 0.398835}
SCALES = {'support': 0.278116, 'unseen': 0.229588, 'bigrams_in_window': 0.377463, 'trigrams_in_window': 0.406036, 'common_subsequence': 0.314192, 'order_kept': 0.239303, 'missing_numbers': 0.323843, 'missing_names': 0.446884, 'missing_relations': 0.203947, 'new_modality': 0.386078, 'log_length': 0.369728, 'sentences_used': 0.491605, 'pieces_per_word': 0.206078, 'in_long_pieces': 0.392362, 'longest_piece': 0.353370, 'far_joins': 0.417236, 'short_pieces': 0.402037}
BIAS = 0.434345
THRESHOLD = 0.615461
"""An item is consistent from this probability up (consistency.probability)."""
