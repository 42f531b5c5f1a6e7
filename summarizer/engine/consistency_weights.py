"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.477210, 'unseen': -0.976088, 'bigrams_in_window': -1.130328, 'trigrams_in_window': 1.165323, 'common_subsequence': 0.897290, 'order_kept': 0.083975, 'missing_numbers': -0.243772, 'missing_names': 0.043133, 'missing_relations': 0.078913, 'new_modality': -0.117975, 'log_length': 0.400679, 'sentences_used': -0.440112, 'pieces_per_word': -0.227614, 'in_long_pieces': -1.027849, 'longest_piece': 0.085922, 'far_joins': -0.626665, 'short_pieces': -0.359834}
MEANS = {'support': 0.804325, 'unseen': 0.142528, 'bigrams_in_window': 0.671732, 'trigrams_in_window': 0.609527, 'common_subsequence': 0.744156, 'order_kept': 0.843988, 'missing_numbers': 0.084229, 'missing_names': 0.060932, 'missing_relations': 0.037634, 'new_modality': 0.142473, 'log_length': 2.867068, 'sentences_used': 1.347670, 'pieces_per_word': 0.252168, 'in_long_pieces': 0.684145, 'longest_piece': 0.605127, 'far_joins': 0.433269, 'short_pieces': 0.399478}
SCALES = {'support': 0.279175, 'unseen': 0.229567, 'bigrams_in_window': 0.377428, 'trigrams_in_window': 0.406151, 'common_subsequence': 0.315004, 'order_kept': 0.239308, 'missing_numbers': 0.299466, 'missing_names': 0.246584, 'missing_relations': 0.203947, 'new_modality': 0.386078, 'log_length': 0.375564, 'sentences_used': 0.492874, 'pieces_per_word': 0.207280, 'in_long_pieces': 0.392864, 'longest_piece': 0.353530, 'far_joins': 0.416878, 'short_pieces': 0.402426}
BIAS = 0.405419
THRESHOLD = 0.607327
"""An item is consistent from this probability up (consistency.probability)."""
