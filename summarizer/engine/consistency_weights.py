"""Weights of the support check (consistency.py), fitted by bench/factuality_train.py on
FRANK's validation split; do not edit by hand: run that script again."""

FEATURES = ('support', 'unseen', 'bigrams_in_window', 'trigrams_in_window', 'common_subsequence', 'order_kept', 'missing_numbers', 'missing_names', 'missing_relations', 'new_modality', 'log_length', 'sentences_used', 'pieces_per_word', 'in_long_pieces', 'longest_piece', 'far_joins', 'short_pieces')
WEIGHTS = {'support': 0.242728, 'unseen': -1.112104, 'bigrams_in_window': -0.997040, 'trigrams_in_window': 1.136199, 'common_subsequence': 0.938873, 'order_kept': 0.030097, 'missing_numbers': -0.211089, 'missing_names': -0.194030, 'missing_relations': 0.094348, 'new_modality': -0.142334, 'log_length': 0.388413, 'sentences_used': -0.525003, 'pieces_per_word': -0.239003, 'in_long_pieces': -1.007485, 'longest_piece': -0.016450, 'far_joins': -0.610270, 'short_pieces': -0.303985}
MEANS = {'support': 0.802724, 'unseen': 0.143157, 'bigrams_in_window': 0.669493, 'trigrams_in_window': 0.608485, 'common_subsequence': 0.742693, 'order_kept': 0.845845, 'missing_numbers': 0.091398, 'missing_names': 0.181900, 'missing_relations': 0.038530, 'new_modality': 0.142473, 'log_length': 2.869700, 'sentences_used': 1.352151, 'pieces_per_word': 0.251115, 'in_long_pieces': 0.685195, 'longest_piece': 0.604934, 'far_joins': 0.433150, 'short_pieces': 0.398089}
SCALES = {'support': 0.277828, 'unseen': 0.229513, 'bigrams_in_window': 0.377652, 'trigrams_in_window': 0.406188, 'common_subsequence': 0.314574, 'order_kept': 0.238945, 'missing_numbers': 0.328837, 'missing_names': 0.454048, 'missing_relations': 0.205967, 'new_modality': 0.386078, 'log_length': 0.369781, 'sentences_used': 0.492420, 'pieces_per_word': 0.206087, 'in_long_pieces': 0.392475, 'longest_piece': 0.353227, 'far_joins': 0.416523, 'short_pieces': 0.402374}
BIAS = 0.435726
THRESHOLD = 0.619229
"""An item is consistent from this probability up (consistency.probability)."""
