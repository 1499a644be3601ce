"""Joint purchasing: material demand, stock, offcuts, supplier price lists, joint orders."""
