"""Benchmarks of reading a bill: fields on the synthetic distributors' bills (`accuracy`), the
layout family (`layouts_accuracy`), phone photos (`photo_accuracy`), a held-out family written
apart from the reader (`heldout/`, `heldout_accuracy`) and the bill-to-handoff turn (`handoff`).
Each prints its figures: `.venv/bin/python benchmarks/bills/<name>.py --help`."""
