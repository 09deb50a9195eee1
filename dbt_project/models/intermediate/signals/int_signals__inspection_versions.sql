-- Every version of every inspection with the days it was the bureau's latest (macro as_of_versions).
{{ safetywh.as_of_versions('inspections', 'inspection_id', {
    'inspection_id': 'inspection_id', 'inspected_on': 'inspected_on', 'township': 'township_code',
    'credit_code': 'credit_code', 'hazards_found': 'hazards_found'}) }}
