-- Every version of every hazard with the days it was the bureau's latest (macro as_of_versions).
{{ safetywh.as_of_versions('hazards', 'hazard_id', {
    'hazard_id': 'hazard_id', 'found_on': 'found_on', 'township': 'township_code',
    'credit_code': 'credit_code', 'level': 'level', 'deadline': 'deadline',
    'rectified_on': 'rectified_on', 'is_supervised': 'is_supervised'}) }}
