"""`sfnc import`: adopt existing state machines into an sfnc project (templates/ and envs/).

- `from_template.plan_from_template`: from a CloudFormation/SAM/CDK template (one template per machine,
  `DefinitionSubstitutions` as env values, values only the deploy knows marked TODO).
- `from_deployed.plan_from_deployed`: from machines deployed in several envs (one template, per-env
  differences as placeholders, `aws:` settings from what is deployed).
- `plan.render_check` renders the result with sfnc's renderer and compares it with the source before
  anything is written; `plan.write_all` writes every file or none and never replaces a file without force.
"""
