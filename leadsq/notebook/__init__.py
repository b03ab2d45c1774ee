"""The notebook layer: the query form's model and widget, and the IPython magics."""
