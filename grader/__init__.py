"""eshikaku grading engine: question schema, bank loading, answer grading and the code sandbox."""
