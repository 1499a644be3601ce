"""Similar-part search: a descriptor per part, a first stage over the descriptors, an exact
geometric re-rank of the candidates, and a canonical geometry hash for duplicates."""
