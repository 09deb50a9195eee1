-- Every version of every enterprise with the days it was the bureau's latest (macro as_of_versions).
{{ safetywh.as_of_versions('enterprises', 'credit_code', {
    'credit_code': 'credit_code', 'township': 'township_code', 'is_high_risk': 'is_high_risk',
    'dual_prevention': 'dual_prevention'}) }}
