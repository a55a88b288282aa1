"""One regency's complaint desk, built step by step in the tutorial "Build a complaint desk for your region".

``settings`` configures the desk (institutions, units, address book, mail relay), ``web`` serves the public
pages on the standard library's WSGI server, ``walkthrough`` tells one complaint's whole life on a frozen
clock and ``__main__`` is the deployment's command: ``python -m regional_desk serve|sweep|deliver URL``.
"""
