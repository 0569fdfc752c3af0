"""The instructor's side: proving a bank right and grading a class.

Owns ``validate`` (schema, references, proofs by execution, strict bank-wide checks), the item-writing
cues, skeletons for new questions, batch grading (submissions, seeds and hashes, the graded rows, the
reports) and exports (Anki, JSON). May import every package below it.
"""
