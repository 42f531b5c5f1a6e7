"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.738464, 'unseen': -1.002132, 'bigrams_in_window': -0.953111, 'trigrams_in_window': 1.153850, 'common_subsequence': 0.359193, 'order_kept': 0.185291, 'missing_numbers': -0.315515, 'missing_names': 0.004040, 'missing_relations': 0.146085, 'new_modality': -0.253307, 'log_length': 0.434201, 'sentences_used': -0.453703, 'pieces_per_word': -0.272854, 'in_long_pieces': -0.922479, 'longest_piece': -0.010717, 'far_joins': -0.726670, 'short_pieces': -0.222948}
MEANS = {'support': 0.806630, 'unseen': 0.143155, 'bigrams_in_window': 0.669633, 'trigrams_in_window': 0.607336, 'common_subsequence': 0.745452, 'order_kept': 0.840082, 'missing_numbers': 0.084229, 'missing_names': 0.062724, 'missing_relations': 0.051971, 'new_modality': 0.140681, 'log_length': 2.865486, 'sentences_used': 1.348566, 'pieces_per_word': 0.251339, 'in_long_pieces': 0.685470, 'longest_piece': 0.606671, 'far_joins': 0.434420, 'short_pieces': 0.397788}
SCALES = {'support': 0.276045, 'unseen': 0.229633, 'bigrams_in_window': 0.378364, 'trigrams_in_window': 0.407179, 'common_subsequence': 0.314090, 'order_kept': 0.241728, 'missing_numbers': 0.299466, 'missing_names': 0.249748, 'missing_relations': 0.233766, 'new_modality': 0.382073, 'log_length': 0.375337, 'sentences_used': 0.493150, 'pieces_per_word': 0.207138, 'in_long_pieces': 0.392994, 'longest_piece': 0.353502, 'far_joins': 0.418290, 'short_pieces': 0.402334}
BIAS = 0.408859
THRESHOLD = 0.601628
"""An item is consistent from this probability up (consistency.probability)."""
