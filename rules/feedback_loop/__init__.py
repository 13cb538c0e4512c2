"""`feedback-loop`: model outputs flowing back into training inputs (Sculley et al. 2015,
sec. 4: hidden feedback loops), found as cycles in the data/model dependency graph."""
