"""lecturekit: a static site generator for machine-learning lectures.

`lecturekit.engine` builds sites and knows nothing about any subject;
`lecturekit.numerics` holds pure teaching numerics; `lecturekit.plotting`
turns computed data into figures.
"""
