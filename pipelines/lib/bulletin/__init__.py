"""Publications: the weekly bulletin (周通报), the monthly ranking (月排名) and the quarterly
assessment (季考核), as Word, PDF and Excel files (issue 6).

content.py assembles what a publication says as plain data; render_pdf / render_docx /
render_xlsx lay it out; archive.py keeps every issued version; publish.py is the one
function `safetywh publish` and the Dagster assets both call.
"""
